#pragma once
// RegistrationStore over table im_registration (sql/im_participating-create.sql).
#include "im/store/registration_store.hpp"
#include "im/store/sqlite.hpp"

namespace im::store {

// Statements are prepared once here; `db` must outlive the store. A
// registration is active while expires_at > now.
class SqliteRegistrationStore final : public RegistrationStore {
public:
    explicit SqliteRegistrationStore(SqliteDatabase &db);

    void upsert(const Registration &reg) override;
    bool remove(const std::string &aor) override;
    bool known(const std::string &aor) override;
    std::optional<Registration> find_active(const std::string &aor, std::int64_t now) override;
    std::vector<std::string> purge_expired(std::int64_t now) override;
    std::int64_t count_active(std::int64_t now) override;

private:
    SqliteDatabase &db_;
    SqliteStatement upsert_;
    SqliteStatement remove_;
    SqliteStatement known_;
    SqliteStatement find_active_;
    SqliteStatement purge_expired_;
    SqliteStatement count_active_;
};

}  // namespace im::store

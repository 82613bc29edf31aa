#pragma once
// AccessRuleStore over table im_access_rule (sql/im_participating-create.sql).
#include "im/store/access_rule_store.hpp"
#include "im/store/sqlite.hpp"

namespace im::store {

// Statements are prepared once here; `db` must outlive the store.
class SqliteAccessRuleStore final : public AccessRuleStore {
public:
    explicit SqliteAccessRuleStore(SqliteDatabase &db);

    void set(const std::string &owner, const std::string &peer, AccessKind kind, AccessAction action) override;
    bool remove(const std::string &owner, const std::string &peer, AccessKind kind) override;
    std::vector<AccessRule> list(const std::string &owner) override;
    std::optional<AccessAction> decide(const std::string &owner, const std::string &peer_aor,
                                       AccessKind kind) override;

private:
    SqliteDatabase &db_;
    SqliteStatement set_;
    SqliteStatement remove_;
    SqliteStatement list_;
    SqliteStatement decide_;
};

}  // namespace im::store

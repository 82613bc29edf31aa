#pragma once
// WillingnessStore over table im_willingness (sql/im_participating-create.sql).
#include <string>
#include <unordered_map>
#include <vector>

#include "im/store/sqlite.hpp"
#include "im/store/willingness_store.hpp"

namespace im::store {

class SqliteWillingnessStore final : public WillingnessStore {
public:
    explicit SqliteWillingnessStore(SqliteDatabase &db);

    void set(const std::string &aor, bool willing, std::int64_t now) override;
    void forget(const std::string &aor) override;
    bool willing(const std::string &aor) override;

    // Reads the rows of every aor in one statement; until forget_prefetched(),
    // willing() answers for these users from memory (a group MESSAGE's
    // recipients, under one SqliteReadSnapshot).
    void prefetch(const std::vector<std::string> &aors);
    void forget_prefetched() noexcept { prefetched_.clear(); }

private:
    SqliteStatement set_;
    SqliteStatement forget_;
    SqliteStatement find_;
    SqliteStatement prefetch_;
    std::unordered_map<std::string, bool> prefetched_;
};

}  // namespace im::store

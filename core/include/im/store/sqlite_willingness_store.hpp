#pragma once
// WillingnessStore over table im_willingness (sql/im_participating-create.sql).
#include <string>
#include <vector>

#include "im/store/row_cache.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/willingness_store.hpp"

namespace im::store {

class SqliteWillingnessStore final : public WillingnessStore {
public:
    // Reads are answered from a RowCache (row_cache.hpp) where it has the row.
    explicit SqliteWillingnessStore(SqliteDatabase &db, RowCacheConfig cache = {});

    void set(const std::string &aor, bool willing, std::int64_t now) override;
    void forget(const std::string &aor) override;
    bool willing(const std::string &aor) override;

    // Reads the rows of every aor not cached yet in one statement; until
    // forget_prefetched() (or longer, with a shared generation), willing()
    // answers for these users from memory (a group MESSAGE's recipients,
    // under one SqliteReadSnapshot).
    void prefetch(const std::vector<std::string> &aors);
    void forget_prefetched() noexcept { rows_.end_batch(); }

private:
    SqliteStatement set_;
    SqliteStatement forget_;
    SqliteStatement find_;
    SqliteStatement prefetch_;
    RowCache<bool> rows_;  // no row: willing
};

}  // namespace im::store

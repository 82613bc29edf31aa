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

    // A batch of reads in two steps, so that the caller reads the rows every
    // store misses under one SqliteReadSnapshot, opened only when some store
    // misses rows (SqliteUserRows): resolve() revalidates the cache and finds
    // each user's row in it, true when some must be read; read_missing()
    // reads those in one statement. Then rows.row(i) is aors[i]'s row
    // until forget_prefetched(), as long as nothing else reads or writes
    // through this store meanwhile (that may drop the cached rows).
    using BatchRows = RowBatch<bool>;  // willing() of each user
    bool resolve(const std::vector<std::string> &aors, BatchRows &rows) { return rows_.resolve(aors, rows); }
    void read_missing(BatchRows &rows);

    // Both steps: reads the rows of every aor not cached yet in one
    // statement; until forget_prefetched() (or longer, with a shared
    // generation), willing() answers for these users from memory.
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

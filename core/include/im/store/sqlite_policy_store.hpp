#pragma once
// PolicyStore over table im_policy (sql/im_participating-create.sql).
#include "im/store/policy_store.hpp"
#include "im/store/row_cache.hpp"
#include "im/store/sqlite.hpp"

namespace im::store {

// Statements are prepared once here; `db` must outlive the store.
// content_types is kept as a comma-separated list, NULL when unset.
// effective() is answered from a RowCache (row_cache.hpp) where it has the
// user; any write drops every cached user (the global row is in each).
class SqlitePolicyStore final : public PolicyStore {
public:
    explicit SqlitePolicyStore(SqliteDatabase &db, RowCacheConfig cache = {});

    void set(const std::string &scope, const Policy &policy) override;
    bool remove(const std::string &scope) override;
    std::optional<Policy> get(const std::string &scope) override;
    std::vector<ScopedPolicy> list() override;
    EffectivePolicy effective(const std::string &aor) override;

    // A batch of reads in two steps, so that the caller reads the rows every
    // store misses under one SqliteReadSnapshot, opened only when some store
    // misses rows (SqliteUserRows): resolve() revalidates the cache and finds
    // each user's row in it, true when some must be read; read_missing()
    // reads those in one statement. Then rows.row(i) is aors[i]'s row
    // until forget_prefetched(), as long as nothing else reads or writes
    // through this store meanwhile (that may drop the cached rows).
    using BatchRows = RowBatch<EffectivePolicy>;
    bool resolve(const std::vector<std::string> &aors, BatchRows &rows) { return rows_.resolve(aors, rows); }
    void read_missing(BatchRows &rows);

    // Both steps: combines the rows of every aor not cached yet with the
    // global row in one statement; until forget_prefetched() (or longer,
    // with a shared generation), effective answers for these from memory.
    void prefetch(const std::vector<std::string> &aors);
    void forget_prefetched() noexcept { rows_.end_batch(); }

private:
    SqliteDatabase &db_;
    SqliteStatement set_;
    SqliteStatement remove_;
    SqliteStatement get_;
    SqliteStatement list_;
    SqliteStatement effective_;
    SqliteStatement prefetch_;
    RowCache<EffectivePolicy> rows_;  // by user
};

}  // namespace im::store

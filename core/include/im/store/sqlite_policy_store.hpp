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

    // Combines the rows of every aor not cached yet with the global row in
    // one statement; until forget_prefetched() (or longer, with a shared
    // generation), effective answers for these from memory. For a batch
    // under one SqliteReadSnapshot (a group MESSAGE's recipients).
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

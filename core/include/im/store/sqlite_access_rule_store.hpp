#pragma once
// AccessRuleStore over table im_access_rule (sql/im_participating-create.sql).
#include "im/store/access_rule_store.hpp"
#include "im/store/row_cache.hpp"
#include "im/store/sqlite.hpp"

#include <optional>

namespace im::store {

// Statements are prepared once here; `db` must outlive the store. decide()
// is answered from the owner's rules in a RowCache (row_cache.hpp) where it
// has them: most owners have none or a few, and one cached list serves
// every peer.
class SqliteAccessRuleStore final : public AccessRuleStore {
public:
    explicit SqliteAccessRuleStore(SqliteDatabase &db, RowCacheConfig cache = {});

    void set(const std::string &owner, const std::string &peer, AccessKind kind, AccessAction action) override;
    bool remove(const std::string &owner, const std::string &peer, AccessKind kind) override;
    std::vector<AccessRule> list(const std::string &owner) override;
    std::optional<AccessAction> decide(const std::string &owner, const std::string &peer_aor,
                                       AccessKind kind) override;

    // A batch of reads in two steps, so that the caller reads the rows every
    // store misses under one SqliteReadSnapshot, opened only when some store
    // misses rows (SqliteUserRows): resolve() revalidates the cache and finds
    // each user's row in it, true when some must be read; read_missing()
    // reads those in one statement. Then rows.row(i) is owners[i]'s row
    // until forget_prefetched(), as long as nothing else reads or writes
    // through this store meanwhile (that may drop the cached rows).
    using BatchRows = RowBatch<OwnerAccessRules>;  // decide_among() answers from them
    bool resolve(const std::vector<std::string> &owners, BatchRows &rows) { return rows_.resolve(owners, rows); }
    void read_missing(BatchRows &rows);

    // Both steps: reads the rules of every owner not cached yet in one
    // statement; until forget_prefetched() (or longer, with a shared
    // generation), decide answers for these owners from memory.
    void prefetch(const std::vector<std::string> &owners);
    void forget_prefetched() noexcept { rows_.end_batch(); }

private:
    SqliteDatabase &db_;
    SqliteStatement set_;
    SqliteStatement remove_;
    SqliteStatement list_;
    SqliteStatement decide_;
    SqliteStatement prefetch_;
    RowCache<OwnerAccessRules> rows_;  // by owner
};

}  // namespace im::store

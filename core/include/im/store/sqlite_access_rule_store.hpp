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

    // Reads the rules of every owner not cached yet in one statement; until
    // forget_prefetched() (or longer, with a shared generation), decide
    // answers for these owners from memory. For a batch under one
    // SqliteReadSnapshot (a group MESSAGE's recipients).
    void prefetch(const std::vector<std::string> &owners);
    void forget_prefetched() noexcept { rows_.end_batch(); }

private:
    struct OwnerRule {
        std::string peer;
        AccessKind kind;
        AccessAction action;
    };
    using OwnerRules = std::vector<OwnerRule>;
    static std::optional<AccessAction> decide_from(const OwnerRules &rules, const std::string &peer_aor,
                                                   AccessKind kind);

    SqliteDatabase &db_;
    SqliteStatement set_;
    SqliteStatement remove_;
    SqliteStatement list_;
    SqliteStatement decide_;
    SqliteStatement prefetch_;
    RowCache<OwnerRules> rows_;  // by owner
};

}  // namespace im::store

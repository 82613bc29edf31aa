#pragma once
// AccessRuleStore over table im_access_rule (sql/im_participating-create.sql).
#include "im/store/access_rule_store.hpp"
#include "im/store/sqlite.hpp"

#include <optional>
#include <unordered_map>

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

    // Decides for every owner against one peer and kind in one statement;
    // until forget_prefetched(), decide answers for these from memory. For a
    // batch under one SqliteReadSnapshot (a group MESSAGE's recipients).
    void prefetch(const std::vector<std::string> &owners, const std::string &peer_aor, AccessKind kind);
    void forget_prefetched() noexcept { prefetched_.clear(); }

private:
    SqliteDatabase &db_;
    SqliteStatement set_;
    SqliteStatement remove_;
    SqliteStatement list_;
    SqliteStatement decide_;
    SqliteStatement prefetch_;
    std::string prefetched_peer_;
    AccessKind prefetched_kind_ = AccessKind::pager;
    std::unordered_map<std::string, std::optional<AccessAction>> prefetched_;  // by owner
};

}  // namespace im::store

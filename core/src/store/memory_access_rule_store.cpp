#include "im/store/memory_access_rule_store.hpp"

#include <utility>

namespace im::store {

void MemoryAccessRuleStore::set(const std::string &owner, const std::string &peer, AccessKind kind,
                                AccessAction action)
{
    rules_.insert_or_assign(Key{owner, normalize_peer_pattern(peer), kind}, action);
}

bool MemoryAccessRuleStore::remove(const std::string &owner, const std::string &peer, AccessKind kind)
{
    return rules_.erase(Key{owner, normalize_peer_pattern(peer), kind}) > 0;
}

std::vector<AccessRule> MemoryAccessRuleStore::list(const std::string &owner)
{
    // Keys sort by owner, then peer, then kind in enum order (session first).
    std::vector<AccessRule> rules;
    for (auto entry = rules_.lower_bound(Key{owner, "", AccessKind::session});
         entry != rules_.end() && std::get<0>(entry->first) == owner; ++entry) {
        const auto &[rule_owner, peer, kind] = entry->first;
        rules.push_back({rule_owner, peer, kind, entry->second});
    }
    return rules;
}

std::optional<AccessAction> MemoryAccessRuleStore::decide(const std::string &owner, const std::string &peer_aor,
                                                          AccessKind kind)
{
    for (std::string &pattern : patterns_matching(peer_aor)) {
        const auto found = rules_.find(Key{owner, std::move(pattern), kind});
        if (found != rules_.end()) return found->second;
    }
    return std::nullopt;
}

}  // namespace im::store

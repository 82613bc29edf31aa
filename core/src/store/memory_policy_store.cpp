#include "im/store/memory_policy_store.hpp"

namespace im::store {

void MemoryPolicyStore::set(const std::string &scope, const Policy &policy)
{
    require_storable(policy);
    policies_.insert_or_assign(scope, policy);
}

bool MemoryPolicyStore::remove(const std::string &scope) { return policies_.erase(scope) > 0; }

std::optional<Policy> MemoryPolicyStore::get(const std::string &scope)
{
    const auto found = policies_.find(scope);
    if (found == policies_.end()) return std::nullopt;
    return found->second;
}

std::vector<ScopedPolicy> MemoryPolicyStore::list()
{
    std::vector<ScopedPolicy> rows;
    for (const auto &[scope, policy] : policies_) rows.push_back({scope, policy});
    return rows;
}

EffectivePolicy MemoryPolicyStore::effective(const std::string &aor)
{
    return combine_policies(get(std::string(kGlobalPolicyScope)), get(aor));
}

}  // namespace im::store

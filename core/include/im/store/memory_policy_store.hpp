#pragma once
// An in-memory PolicyStore for unit tests of domain logic; it honours the
// same contract as SqlitePolicyStore.
#include <map>

#include "im/store/policy_store.hpp"

namespace im::store {

class MemoryPolicyStore final : public PolicyStore {
public:
    void set(const std::string &scope, const Policy &policy) override;
    bool remove(const std::string &scope) override;
    std::optional<Policy> get(const std::string &scope) override;
    std::vector<ScopedPolicy> list() override;
    EffectivePolicy effective(const std::string &aor) override;

private:
    std::map<std::string, Policy, std::less<>> policies_;  // by scope
};

}  // namespace im::store

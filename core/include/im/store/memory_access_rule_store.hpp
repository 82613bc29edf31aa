#pragma once
// An in-memory AccessRuleStore for unit tests of domain logic; it honours the
// same contract as SqliteAccessRuleStore.
#include <map>
#include <tuple>

#include "im/store/access_rule_store.hpp"

namespace im::store {

class MemoryAccessRuleStore final : public AccessRuleStore {
public:
    void set(const std::string &owner, const std::string &peer, AccessKind kind, AccessAction action) override;
    bool remove(const std::string &owner, const std::string &peer, AccessKind kind) override;
    std::vector<AccessRule> list(const std::string &owner) override;
    std::optional<AccessAction> decide(const std::string &owner, const std::string &peer_aor,
                                       AccessKind kind) override;

private:
    using Key = std::tuple<std::string, std::string, AccessKind>;  // owner, peer pattern, kind
    std::map<Key, AccessAction> rules_;
};

}  // namespace im::store

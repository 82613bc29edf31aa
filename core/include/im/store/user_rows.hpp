#pragma once
// What the terminating checks read about one served user in the four user
// tables, as a batch of reads found it (SqliteUserRows): references into
// the stores' row caches, valid until the batch ends.
#include <optional>

#include "im/store/access_rule_store.hpp"
#include "im/store/policy_store.hpp"
#include "im/store/settings_store.hpp"

namespace im::store {

struct UserRows {
    const std::optional<PublishedSettings> &settings;  // the publication, expired or not: active_settings_of
    const EffectivePolicy &policy;
    const OwnerAccessRules &access_rules;  // decide_among
    bool willing;
};

}  // namespace im::store

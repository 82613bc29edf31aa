#pragma once
// The IM service settings that apply to a user (Appendix E): what the user
// published, with the Appendix E default for every setting left out and for
// a user who has published nothing (or whose publication expired).
#include <optional>

#include "im/store/settings_store.hpp"

namespace im::participating {

struct EffectiveSettings {
    bool isb = false;               // incoming IM session barring (6.2.6.1 step 1)
    bool ipab = false;              // incoming pager mode barring (6.2.6.1 step 1)
    bool offline_delivery = false;  // push deferred messages when the user comes online
    bool visible = true;            // vis-status: visible to other users
    bool hist = false;              // store conversations (section 12)

    bool operator==(const EffectiveSettings &) const = default;
};

EffectiveSettings effective(const store::ServiceSettings &settings);
EffectiveSettings effective(const std::optional<store::PublishedSettings> &published);
EffectiveSettings effective(const std::optional<store::ServiceSettings> &settings);

}  // namespace im::participating

#include "im/participating/settings_defaults.hpp"

namespace im::participating {

EffectiveSettings effective(const store::ServiceSettings &settings)
{
    constexpr EffectiveSettings kDefaults{};
    return EffectiveSettings{
        .isb = settings.isb_active.value_or(kDefaults.isb),
        .ipab = settings.ipab_active.value_or(kDefaults.ipab),
        .offline_delivery = settings.offline_delivery.value_or(kDefaults.offline_delivery),
        .visible = settings.vis_status.value_or(kDefaults.visible),
        .hist = settings.hist_active.value_or(kDefaults.hist),
    };
}

EffectiveSettings effective(const std::optional<store::PublishedSettings> &published)
{
    return published ? effective(published->settings) : EffectiveSettings{};
}

EffectiveSettings effective(const std::optional<store::ServiceSettings> &settings)
{
    return settings ? effective(*settings) : EffectiveSettings{};
}

}  // namespace im::participating

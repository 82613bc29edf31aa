#pragma once
// Spec 6.2.5: IM service settings published by the user (PUBLISH, RFC 3903,
// event package "poc-settings", document of appendix E).
#include <cstdint>

#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"
#include "im/store/settings_store.hpp"

namespace im::participating {

// Event packages accepted for settings: the draft's "poc-settings" (RFC 4354)
// and "im-settings", an alias for clients that name the IM service.
inline constexpr const char *kSettingsEvents = "poc-settings, im-settings";

struct SettingsPublishLimits {
    std::int64_t default_expires = 3600;  // when the PUBLISH carries none
    std::int64_t min_expires = 60;        // shorter requests get 423 with Min-Expires
    std::int64_t max_expires = 86400;     // longer requests are granted this
};

class SettingsPublishProcedure {
public:
    SettingsPublishProcedure(const Config &config, store::SettingsStore &settings, const Clock &clock,
                             SettingsPublishLimits limits = {})
        : config_(config), settings_(settings), clock_(clock), limits_(limits)
    {
    }
    Action handle(const sip::Request &request) const;

private:
    const Config &config_;
    store::SettingsStore &settings_;
    const Clock &clock_;
    SettingsPublishLimits limits_;
};

}  // namespace im::participating

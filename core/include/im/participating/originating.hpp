#pragma once
// Spec 6.2.2 and 6.2.4.1: requests from a served IM user.
#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"
#include "im/store/policy_store.hpp"
#include "im/store/settings_store.hpp"

namespace im::participating {

class OriginatingProcedure {
public:
    OriginatingProcedure(const Config &config, store::PolicyStore &policies, store::SettingsStore &settings,
                         const Clock &clock)
        : config_(config), policies_(policies), settings_(settings), clock_(clock)
    {
    }
    Action handle(const sip::Request &request) const;

private:
    const Config &config_;
    store::PolicyStore &policies_;
    store::SettingsStore &settings_;
    const Clock &clock_;
};

}  // namespace im::participating

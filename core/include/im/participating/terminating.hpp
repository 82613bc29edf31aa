#pragma once
// Spec 6.2.6 and 6.2.8.4: requests towards a served IM user.
#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/identity.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"
#include "im/store/access_rule_store.hpp"
#include "im/store/policy_store.hpp"
#include "im/store/registration_store.hpp"
#include "im/store/settings_store.hpp"
#include "im/store/willingness_store.hpp"

namespace im::participating {

// The state the terminating checks read, one store per concern.
struct TerminatingStores {
    store::RegistrationStore &registrations;
    store::SettingsStore &settings;
    store::PolicyStore &policies;
    store::AccessRuleStore &access_rules;
    store::WillingnessStore &willingness;
};

class TerminatingProcedure {
public:
    TerminatingProcedure(const Config &config, TerminatingStores stores, const Clock &clock)
        : config_(config), stores_(stores), clock_(clock)
    {
    }
    Action handle(const sip::Request &request) const;

    // 6.2.6.1 and 6.2.8.4 for a request whose originator is already known:
    // a group MESSAGE copy made by the Controlling Function of this server.
    Action check_delivery(const sip::Request &request, const Originator &originator) const;
    // The same for a Request-URI already reduced to the served user's AOR
    // (the copies of one group MESSAGE are checked in one batch).
    Action check_delivery(const sip::Request &request, const Originator &originator, const std::string &served) const;

private:
    const Config &config_;
    TerminatingStores stores_;
    const Clock &clock_;
};

}  // namespace im::participating

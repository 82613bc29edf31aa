#pragma once
// Spec 6.2.6 and 6.2.8.4: requests towards a served IM user.
#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"
#include "im/store/registration_store.hpp"

namespace im::participating {

class TerminatingProcedure {
public:
    TerminatingProcedure(const Config &config, store::RegistrationStore &registrations, const Clock &clock)
        : config_(config), registrations_(registrations), clock_(clock)
    {
    }
    Action handle(const sip::Request &request) const;

private:
    const Config &config_;
    store::RegistrationStore &registrations_;
    const Clock &clock_;
};

}  // namespace im::participating

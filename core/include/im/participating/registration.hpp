#pragma once
// Spec 6.2.1: registration state from the third-party REGISTER of the core.
#include <cstdint>

#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/identity.hpp"
#include "im/sip/request.hpp"
#include "im/store/registration_store.hpp"

namespace im::participating {

struct RegistrationLimits {
    std::int64_t default_expires = 3600;  // when the REGISTER carries none
    std::int64_t max_expires = 86400;     // longer requests are capped (RFC 3261 10.3 step 7)
};

struct RegistrationOutcome {
    Action action;
    enum class Change { None, Registered, Refreshed, Deregistered } change = Change::None;
    std::string aor;
};

class RegistrationProcedure {
public:
    RegistrationProcedure(store::RegistrationStore &store, const Clock &clock, const IdentityPolicy &identity,
                          RegistrationLimits limits = {});

    RegistrationOutcome handle(const sip::Request &request);

private:
    store::RegistrationStore &store_;
    const Clock &clock_;
    const IdentityPolicy &identity_;
    RegistrationLimits limits_;
};

}  // namespace im::participating

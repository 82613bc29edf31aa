#pragma once
// Spec 6.2.6.1 step 6 and appendix I: the IM server watches the presence of
// the users it serves (a subscription made on registration) and keeps the
// "Willingness for IM" each one publishes. This is the NOTIFY side.
#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"
#include "im/store/willingness_store.hpp"

namespace im::participating {

class PresenceNotifyProcedure {
public:
    PresenceNotifyProcedure(const Config &config, store::WillingnessStore &willingness, const Clock &clock)
        : config_(config), willingness_(willingness), clock_(clock)
    {
    }
    // A NOTIFY for Event: presence, from the presence server (only from
    // trusted_core: 403 otherwise); its From is the watched user. A PIDF body
    // sets the user's willingness (or forgets it when no IM tuple says); no
    // body (a terminated subscription) forgets it. 489 for another event,
    // 415 for another body type, 400 for a document that is no PIDF.
    // Answers 200 otherwise.
    Action handle(const sip::Request &request) const;

private:
    const Config &config_;
    store::WillingnessStore &willingness_;
    const Clock &clock_;
};

}  // namespace im::participating

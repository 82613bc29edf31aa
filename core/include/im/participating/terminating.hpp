#pragma once
// Spec 6.2.6 and 6.2.8.4: requests towards a served IM user.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "im/action.hpp"
#include "im/clock.hpp"
#include "im/identity.hpp"
#include "im/participating/config.hpp"
#include "im/participating/session_media.hpp"
#include "im/sip/request.hpp"
#include "im/store/access_rule_store.hpp"
#include "im/store/policy_store.hpp"
#include "im/store/registration_store.hpp"
#include "im/store/settings_store.hpp"
#include "im/store/user_rows.hpp"
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

// What the delivery checks (6.2.6.1, 6.2.8.4) make of the request alone,
// whoever receives it: worked out once for all the copies of a group MESSAGE.
struct DeliveryChecks {
    std::int64_t now = 0;
    Verdict refusal;                    // refuses every recipient unless proceed(): a malformed offer
    std::optional<SessionOffer> offer;  // INVITE: checked against each recipient's policy
    store::AccessKind kind = store::AccessKind::pager;
    bool pager_message = false;         // steps 3-4 apply: pager mode, and no Large Message session
    Verdict expires;                    // step 4, when pager_message
    std::vector<Header> headers;        // 6.2.8.4 steps 3-4: what a delivered request gets
};

// One recipient's answer to a prepared request.
struct Admission {
    Verdict verdict;              // proceed(): deliver it to the recipient
    bool record_history = false;  // the recipient's "Conversation History" setting
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

    // check_delivery() in two parts, for many recipients of one request:
    // what depends on the request alone, then each recipient's checks. A
    // delivered request goes to the recipient's AOR with checks.headers.
    DeliveryChecks prepare_delivery(const sip::Request &request) const;
    Admission admit(const sip::Request &request, const DeliveryChecks &checks, const Originator &originator,
                    const std::string &served) const;
    // admit() with the served user's rows already read for a batch
    // (store::SqliteUserRows): the same decision, asking the stores only
    // about the registration.
    Admission admit(const sip::Request &request, const DeliveryChecks &checks, const Originator &originator,
                    const std::string &served, const store::UserRows &rows) const;

private:
    const Config &config_;
    TerminatingStores stores_;
    const Clock &clock_;
};

}  // namespace im::participating

#include "im/participating/originating.hpp"

#include <algorithm>

#include "im/participating/policy_checks.hpp"
#include "im/participating/session_media.hpp"
#include "im/participating/settings_defaults.hpp"
#include "im/participating/steps.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/version.hpp"

namespace im::participating {

Action OriginatingProcedure::handle(const sip::Request &request) const
{
    // 6.2.2.1 step 1: the IM feature tag.
    if (Verdict v = require_im_feature_tag(request); !v.proceed()) return Action::reply(std::move(v));

    // 5.2: an authenticated originator.
    OriginatorResult who = authenticate_originator(request, config_.identity);
    if (!who.verdict.proceed()) return Action::reply(std::move(who.verdict));
    const Originator &originator = *who.originator;
    const store::EffectivePolicy policy = policies_.effective(originator.aor);

    // 6.2.2.1 step 2: the user may use IM.
    if (Verdict v = require_im_allowed(policy); !v.proceed()) return Action::reply(std::move(v));

    const bool pager_mode = sip::iequals(request.method, "MESSAGE");
    if (sip::iequals(request.method, "INVITE")) {
        // RFC 3261 8.1.1.8: the session's remote target; this server stays on
        // the path as a proxy and keeps the session (timer, BYE at expiry).
        if (sip::trim(request.contact).empty())
            return Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - missing Contact"));
        // 6.2.3.1 step 4 / 6.2.4.2: the SDP offer says which kind of session
        // (sendrecv: IM session, sendonly: Large Message Mode); 6.2.3.3 step 1:
        // its media parameters must be acceptable to the operator policy.
        OfferResult offer = read_session_offer(request);
        if (!offer.verdict.proceed()) return Action::reply(std::move(offer.verdict));
        if (Verdict v = require_media_policy(*offer.offer, policy); !v.proceed()) return Action::reply(std::move(v));
    }
    if (pager_mode) {
        // 6.2.2.1 step 3: size and content against the operator policy. Sessions
        // carry their content over MSRP, so only pager mode has a body to check.
        if (Verdict v = require_policy_conformance(request, policy); !v.proceed()) return Action::reply(std::move(v));
    }
    // 6.2.4.1 step 2: anonymity.
    if (Verdict v = require_anonymity_allowed(originator, policy); !v.proceed()) return Action::reply(std::move(v));
    if (pager_mode) {
        // 6.2.4.5 steps 1-2: a Group Advertisement's anonymity and permission.
        if (Verdict v = require_group_advertisement_allowed(request, originator, policy); !v.proceed())
            return Action::reply(std::move(v));
        // 6.2.4.1 step 3: Expires (RFC 3428).
        if (Verdict v = require_valid_expires(request, clock_.now()); !v.proceed()) return Action::reply(std::move(v));
    }

    Action action;
    // 6.2.2.1 step 4: the user's "Conversation History" setting; the host
    // runs the history hook (section 12 belongs to im_history).
    action.record_history = effective(settings_.active_settings(originator.aor, clock_.now())).hist;
    // 6.2.4.1 step 4: the conference factory and groups belong to the Controlling Function.
    if (auto target = sip::aor_of(request.request_uri)) {
        const auto &special = config_.controlling_uris;
        if (std::find(special.begin(), special.end(), *target) != special.end()) action.next = Action::Next::Controlling;
    }
    // 6.2.2.1 steps 5-6: forward with the identity kept (the core's PAI stays
    // in place) and, for a pager-mode MESSAGE without a Contact, this server's
    // URI with the IM feature tag as Contact. A session's Contact is the
    // client's own dialog target and stays as it is.
    if (action.next == Action::Next::Forward && pager_mode && sip::trim(request.contact).empty())
        action.request_headers.push_back({"Contact", "<" + config_.server_uri + ">;" + kImFeatureTag});
    return action;
}

}  // namespace im::participating

#include "im/participating/originating.hpp"

#include <algorithm>

#include "im/participating/steps.hpp"
#include "im/sip/uri.hpp"

namespace im::participating {

Action OriginatingProcedure::handle(const sip::Request &request) const
{
    // 6.2.2.1 step 1: the IM feature tag.
    if (Verdict v = require_im_feature_tag(request); !v.proceed()) return Action::reply(std::move(v));

    // 5.2 / 6.2.2.1 step 2: an authenticated originator.
    OriginatorResult who = authenticate_originator(request, config_.identity);
    if (!who.verdict.proceed()) return Action::reply(std::move(who.verdict));

    Action action;
    // 6.2.4.1 step 4: the conference factory and groups belong to the Controlling Function.
    if (auto target = sip::aor_of(request.request_uri)) {
        const auto &special = config_.controlling_uris;
        if (std::find(special.begin(), special.end(), *target) != special.end()) action.next = Action::Next::Controlling;
    }
    // 6.2.2.1 step 5-6: forward with the identity kept (the core's PAI stays in place).
    return action;
}

}  // namespace im::participating

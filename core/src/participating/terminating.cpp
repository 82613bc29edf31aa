#include "im/participating/terminating.hpp"

#include "im/participating/steps.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/version.hpp"

namespace im::participating {

Action TerminatingProcedure::handle(const sip::Request &request) const
{
    // 6.2.8.4: the request must carry the IM feature tag.
    if (Verdict v = require_im_feature_tag(request); !v.proceed()) return Action::reply(std::move(v));

    // 5.2: the core asserted who sends it.
    OriginatorResult who = authenticate_originator(request, config_.identity);
    if (!who.verdict.proceed()) return Action::reply(std::move(who.verdict));

    auto served = sip::aor_of(request.request_uri);
    if (!served) return Action::reply(Verdict::reply(404, "Not Found", "399 IM-serv \"Request-URI is no IM address\""));

    // 6.2.6.1 step 5: an unregistered user cannot take the request now.
    if (!registrations_.find_active(*served, clock_.now()))
        return Action::reply(Verdict::reply(480, "Temporarily Unavailable", "399 IM-serv \"IM user not registered\""));

    // 6.2.8.4 steps 2-4: Request-URI the user, Server, Contact with the feature tag.
    Action action;
    action.request_uri = *served;
    action.request_headers.push_back({"Server", kServerProduct});
    if (sip::iequals(request.method, "MESSAGE") && sip::trim(request.contact).empty())
        action.request_headers.push_back({"Contact", "<" + config_.server_uri + ">;" + kImFeatureTag});
    return action;
}

}  // namespace im::participating

#include "im/participating/presence_watch.hpp"

#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/xml/im_presence.hpp"
#include "im/xml/multipart.hpp"

namespace im::participating {

Action PresenceNotifyProcedure::handle(const sip::Request &request) const
{
    if (!config_.identity.trusted_core.contains(request.source.ip, request.source.port))
        return Action::reply(Verdict::reject(Rejection::identity, 403, "Forbidden",
                                             "399 IM-serv \"Presence NOTIFYs are taken from the presence server only\""));
    const std::string_view event = sip::trim(request.event.substr(0, request.event.find(';')));
    if (!sip::iequals(event, "presence")) {
        Action a = Action::reply(Verdict::reject(Rejection::bad_event, 489, "Bad Event"));
        a.reply_headers.push_back({"Allow-Events", "presence"});
        return a;
    }
    const auto user = sip::aor_of(request.from_uri);
    if (!user) return Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - From is no SIP URI"));
    if (sip::trim(request.body).empty()) {
        willingness_.forget(*user);
        return Action::reply(Verdict::reply(200, "OK"));
    }
    if (xml::media_type_of(request.content_type) != xml::kPidfContentType) {
        Action a = Action::reply(Verdict::reject(Rejection::malformed, 415, "Unsupported Media Type"));
        a.reply_headers.push_back({"Accept", std::string(xml::kPidfContentType)});
        return a;
    }
    auto willing = xml::im_willingness(request.body);
    if (!willing.ok()) return Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - " + willing.error().reason));
    if (willing.value()) willingness_.set(*user, *willing.value(), clock_.now());
    else willingness_.forget(*user);
    return Action::reply(Verdict::reply(200, "OK"));
}

}  // namespace im::participating

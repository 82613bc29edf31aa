#include "im/participating/policy_checks.hpp"

#include <charconv>

#include "im/sip/date.hpp"
#include "im/sip/text.hpp"
#include "im/xml/group_advertisement.hpp"
#include "im/xml/multipart.hpp"

namespace im::participating {

Verdict require_im_allowed(const store::EffectivePolicy &policy)
{
    if (policy.im_allowed) return Verdict::next();
    return Verdict::reject(Rejection::not_allowed, 403, "Forbidden", "399 IM-serv \"The user is not allowed to use IM\"");
}

Verdict require_policy_conformance(const sip::Request &request, const store::EffectivePolicy &policy)
{
    if (policy.max_size && static_cast<std::int64_t>(request.body.size()) > *policy.max_size)
        return Verdict::reject(Rejection::size, 403, "Forbidden",
                              "399 IM-serv \"Message size " + std::to_string(request.body.size()) +
                                  " exceeds the allowed " + std::to_string(*policy.max_size) + " bytes\"");
    if (!request.body.empty() && !store::content_type_allowed(policy, request.content_type))
        return Verdict::reject(Rejection::content_type, 403, "Forbidden",
                              "399 IM-serv \"Content type " + std::string(sip::trim(request.content_type)) +
                                  " is not allowed\"");
    return Verdict::next();
}

Verdict require_anonymity_allowed(const Originator &originator, const store::EffectivePolicy &policy)
{
    if (!originator.privacy_requested || policy.anonymity_allowed) return Verdict::next();
    return Verdict::reject(Rejection::anonymity, 403, "Forbidden", "399 IM-serv \"Anonymity is not allowed\"");
}

namespace {

bool carries_group_advertisement(const sip::Request &request)
{
    if (xml::is_group_advertisement_type(request.content_type)) return true;
    if (xml::media_type_of(request.content_type) != "multipart/mixed") return false;
    auto parts = xml::split_uri_list_message(request.content_type, request.body);
    if (!parts.ok()) return false;  // not a URI-list message: the Controlling Function judges it
    const auto *type = parts.value().message.header("Content-Type");
    return type && xml::is_group_advertisement_type(*type);
}

}  // namespace

Verdict require_group_advertisement_allowed(const sip::Request &request, const Originator &originator,
                                            const store::EffectivePolicy &policy)
{
    if (!carries_group_advertisement(request)) return Verdict::next();
    if (originator.privacy_requested)
        return Verdict::reject(Rejection::anonymity, 403, "Forbidden", "399 IM-serv \"A Group Advertisement cannot be anonymous\"");
    if (!policy.group_advertisement_allowed)
        return Verdict::reject(Rejection::not_allowed, 403, "Forbidden", "399 IM-serv \"Not allowed to send Group Advertisements\"");
    return Verdict::next();
}

Verdict require_valid_expires(const sip::Request &request, std::int64_t now)
{
    if (!request.expires) return Verdict::next();
    const std::string_view text = sip::trim(*request.expires);
    std::uint32_t seconds = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
        return Verdict::reject(Rejection::malformed, 400, "Bad Request - malformed Expires");
    if (sip::trim(request.date).empty()) return Verdict::next();
    const auto sent = sip::parse_sip_date(request.date);
    if (!sent) return Verdict::reject(Rejection::malformed, 400, "Bad Request - malformed Date");
    if (*sent + static_cast<std::int64_t>(seconds) < now)
        return Verdict::reject(Rejection::expired, 408, "Request Timeout", "399 IM-serv \"The message expired before delivery\"");
    return Verdict::next();
}

store::AccessKind access_kind_of(const sip::Request &request)
{
    return sip::iequals(request.method, "MESSAGE") ? store::AccessKind::pager : store::AccessKind::session;
}

Verdict require_not_barred(store::AccessKind kind, const EffectiveSettings &settings)
{
    if (kind == store::AccessKind::pager && settings.ipab)
        return Verdict::reject(Rejection::barred, 603, "Decline", "399 IM-serv \"Incoming pager mode IMs are barred by the user\"");
    if (kind == store::AccessKind::session && settings.isb)
        return Verdict::reject(Rejection::barred, 603, "Decline", "399 IM-serv \"Incoming IM sessions are barred by the user\"");
    return Verdict::next();
}

Verdict require_access_allowed(store::AccessRuleStore &rules, const std::string &served, const Originator &originator,
                               store::AccessKind kind)
{
    return require_access_allowed(rules.decide(served, originator.aor, kind));
}

Verdict require_access_allowed(std::optional<store::AccessAction> decision)
{
    if (decision != store::AccessAction::reject) return Verdict::next();
    return Verdict::reject(Rejection::access_list, 403, "Forbidden", "399 IM-serv \"Rejected by the user's access list\"");
}

}  // namespace im::participating

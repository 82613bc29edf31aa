#include "im/controlling/pager_exploder.hpp"

#include <algorithm>

#include "im/participating/steps.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/xml/group_advertisement.hpp"
#include "im/xml/multipart.hpp"
#include "im/xml/resource_lists.hpp"

namespace im::controlling {
namespace {

struct Recipient {
    std::string uri;
    xml::CopyControl copy_control = xml::CopyControl::to;
};

// What the copies carry: the message part and, for URI-lists, the recipients.
struct Content {
    std::string content_type;
    std::string body;
    std::vector<Recipient> recipients;
    std::string history;  // recipient-list-history body (RFC 5365), or empty
};

ExplodeOutcome refuse(Rejection why, int code, std::string reason, std::string warning = {})
{
    return {Action::reply(Verdict::reject(why, code, std::move(reason),
                                          warning.empty() ? std::string() : server_warning(warning))),
            {},
            {}};
}

bool has_uri_list(const sip::Request &request)
{
    const std::string media = xml::media_type_of(request.content_type);
    return media == "multipart/mixed" || media == xml::kResourceListsContentType;
}

bool anonymity_requested(const Originator &originator) { return originator.privacy_requested; }

}  // namespace

// E.1.5-E.1.8, 6.2.4.5: a Group Advertisement must be a valid document, may
// not be sent anonymously, and may advertise a group of this server only if
// the sender may bring users into it (its may_add_users rule: the owner by
// default). Groups of other servers cannot be checked here and pass.
std::optional<ExplodeOutcome> PagerExploder::refuse_advertisement(std::string_view body, const Originator &originator) const
{
    auto advertisement = xml::parse_group_advertisement(body);
    if (!advertisement.ok())
        return refuse(Rejection::malformed, 400, "Bad Request", "Invalid Group Advertisement: " + advertisement.error().reason);
    if (anonymity_requested(originator))
        return refuse(Rejection::anonymity, 403, "Forbidden", "A Group Advertisement cannot be anonymous");
    for (const auto &advertised : advertisement.value().groups) {
        for (const auto &uri : advertised.uris) {
            auto aor = sip::aor_of(uri);
            if (!aor) continue;
            auto group = groups_.snapshot(*aor);
            if (group && !store::allowed(group->rules.may_add_users, *group, originator.aor))
                return refuse(Rejection::not_allowed, 403, "Forbidden", "Not allowed to advertise " + *aor);
        }
    }
    return std::nullopt;
}

bool PagerExploder::owns(std::string_view request_uri) const
{
    auto target = sip::aor_of(request_uri);
    if (!target) return false;
    return *target == config_.conference_factory || groups_.exists(*target);
}

ExplodeOutcome PagerExploder::handle(const sip::Request &request) const
{
    // The MESSAGE must carry the IM feature tag.
    if (Verdict v = participating::require_im_feature_tag(request); !v.proceed()) return {Action::reply(std::move(v)), {}, {}};

    // CR 000 step 1: a URI-list needs the MESSAGE URI-list service.
    const bool list_body = has_uri_list(request);
    if (list_body && !config_.uri_list_service)
        return refuse(Rejection::not_allowed, 403, "Forbidden", "The MESSAGE URI-list service is not offered");

    // CR 000 step 2: the Request-URI is a group owned here, an ongoing
    // session's identity, or the factory with a URI-list; anything else does
    // not exist here (7.6.1: 404).
    auto target = sip::aor_of(request.request_uri);
    if (!target) return refuse(Rejection::malformed, 404, "Not Found", "Request-URI is no SIP URI");
    const bool to_factory = *target == config_.conference_factory;
    // A shared snapshot: with the group cache, no copy of the members.
    std::shared_ptr<const store::Group> group;
    std::optional<OngoingSession> session;
    if (!to_factory) {
        group = groups_.snapshot(*target);
        if (!group && sessions_) session = sessions_->ongoing_session(request.request_uri);
        if (!group && !session) return refuse(Rejection::not_found, 404, "Not Found", "No such group or conference here");
    } else if (!list_body) {
        return refuse(Rejection::malformed, 403, "Forbidden", "A MESSAGE to the conference factory needs a URI-list");
    }

    // CR 002 step 3: the authenticated originator, authorized by the group's rules.
    OriginatorResult who = authenticate_originator(request, config_.identity);
    if (!who.verdict.proceed()) return {Action::reply(std::move(who.verdict)), {}, {}};
    const Originator &originator = *who.originator;
    if (group && !store::allowed(group->rules.may_send_pager, *group, originator.aor))
        return refuse(Rejection::not_allowed, 403, "Forbidden", "Not allowed to send to this group");
    // A session's messages are its participants' own.
    if (session && std::ranges::find(session->participants, originator.aor) == session->participants.end())
        return refuse(Rejection::not_allowed, 403, "Forbidden", "Not a participant of this IM session");

    // CR 002 step 4: anonymity only where the group (or the list policy) allows it.
    const bool anonymity_allowed = group     ? group->anonymity_allowed
                                   : session ? session->anonymity_allowed
                                             : config_.uri_list_anonymity_allowed;
    if (anonymity_requested(originator) && !anonymity_allowed)
        return refuse(Rejection::anonymity, 403, "Forbidden", "Anonymity is not allowed here");

    // CR 000 step 5: the recipients: the group's members, the session's
    // other participants, or the URI-list's entries.
    Content content;
    if (group || session) {
        content.content_type = std::string(sip::trim(request.content_type));
        content.body = std::string(request.body);
        // Members and participants are stored as normalized AORs: no parsing per copy.
        if (group) {
            content.recipients.reserve(group->members.size());
            for (const auto &member : group->members)
                if (member.uri != originator.aor) content.recipients.push_back({member.uri, xml::CopyControl::to});
        } else {
            // One copy per user, however many times the user joined.
            for (const auto &participant : session->participants)
                if (participant != originator.aor &&
                    std::ranges::none_of(content.recipients, [&](const Recipient &r) { return r.uri == participant; }))
                    content.recipients.push_back({participant, xml::CopyControl::to});
        }
    } else {
        auto parts = xml::split_uri_list_message(request.content_type, request.body);
        if (!parts.ok()) return refuse(Rejection::malformed, 400, "Bad Request", parts.error().reason);
        auto list = xml::parse_resource_lists(parts.value().recipient_list.body);
        if (!list.ok()) return refuse(Rejection::malformed, 400, "Bad Request", list.error().reason);
        if (!list.value().invalid_uris.empty())
            return refuse(Rejection::malformed, 400, "Bad Request", "Invalid URI in the list: " + list.value().invalid_uris.front().uri);
        xml::remove_recipient(list.value(), originator.aor);  // no copy back to the sender
        bool copy_control_used = false;
        std::vector<xml::ListEntry> visible;
        for (const auto &entry : list.value().entries) {
            auto aor = sip::aor_of(entry.uri);
            content.recipients.push_back({aor ? *aor : entry.uri, entry.copy_control});
            copy_control_used |= entry.copy_control != xml::CopyControl::to;
            if (entry.copy_control != xml::CopyControl::bcc) visible.push_back(entry);
        }
        const auto *ctype = parts.value().message.header("Content-Type");
        content.content_type = ctype ? *ctype : "text/plain";
        content.body = parts.value().message.body;
        // RFC 5365: with copy control, recipients learn the to/cc list; bcc never appears.
        if (copy_control_used) content.history = xml::serialize_recipient_list_history(visible);
    }
    if (content.recipients.empty()) return refuse(Rejection::malformed, 403, "Forbidden", "No recipients");
    std::size_t limit = config_.max_recipients;
    if (group && group->max_participants && *group->max_participants > 0)
        limit = std::min(limit, static_cast<std::size_t>(*group->max_participants));
    if (content.recipients.size() > limit)
        return refuse(Rejection::too_many, 403, "Forbidden",
                      "Too many recipients: " + std::to_string(content.recipients.size()) + ", at most " +
                          std::to_string(limit));

    // E.1.5-E.1.9: a Group Advertisement is checked before anything is sent.
    const bool advertisement = xml::is_group_advertisement_type(content.content_type);
    if (advertisement) {
        if (auto refusal = refuse_advertisement(content.body, originator)) return std::move(*refusal);
    }

    // 8.3.2.1: one MESSAGE per recipient, through the SIP/IP core.
    ExplodeOutcome outcome{Action::reply(Verdict::reply(202, "Accepted")), {}, {}};
    const bool anonymous = anonymity_requested(originator);
    auto shared = std::make_shared<CopyContent>();
    // 8.3.2.1: a session's messages come from its session identity.
    shared->from = session     ? "<" + session->identity + ">"
                   : anonymous ? "\"Anonymous\" <" + std::string(xml::kAnonymousUri) + ">"
                               : "<" + originator.aor + ">";
    std::string common = std::string(kCopyMaxForwards) + "Accept-Contact: " + kCopyAcceptContact + "\r\n" +
                         "P-Asserted-Identity: <" + originator.aor + ">\r\n";
    if (anonymous) common += "Privacy: id\r\n";
    // E.1.9: prefer contacts that render advertisements (not required: an
    // IM client without the tag still gets the text).
    if (advertisement) common += "Accept-Contact: *;" + std::string(xml::kGroupAdvertisementFeatureTag) + "\r\n";
    shared->content_type = std::move(content.content_type);
    shared->body = std::move(content.body);
    if (!content.history.empty()) {
        const std::string boundary = "im-serv-recipient-list-history";
        std::string part_type = std::move(shared->content_type);
        shared->content_type = "multipart/mixed;boundary=" + boundary;
        shared->body = "--" + boundary + "\r\nContent-Type: " + part_type + "\r\n\r\n" + shared->body + "\r\n--" +
                       boundary + "\r\nContent-Type: application/resource-lists+xml\r\n"
                                  "Content-Disposition: recipient-list-history; handling=optional\r\n\r\n" +
                       content.history + "\r\n--" + boundary + "--\r\n";
    }
    shared->headers = common + "Content-Type: " + shared->content_type + "\r\n";
    const std::shared_ptr<const CopyContent> copy_content = std::move(shared);
    outcome.copies.reserve(content.recipients.size());
    for (auto &recipient : content.recipients) {
        std::string to = "<" + recipient.uri + ">";
        outcome.copies.push_back({std::move(recipient.uri), std::move(to), copy_content});
    }
    outcome.originator = originator;
    return outcome;
}

}  // namespace im::controlling

#include "im/controlling/conference_focus.hpp"

#include <algorithm>
#include <functional>
#include <iterator>

#include "im/msrp/uri.hpp"
#include "im/participating/media_anchor.hpp"
#include "im/participating/session_media.hpp"
#include "im/participating/steps.hpp"
#include "im/sip/sdp.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/version.hpp"
#include "im/xml/multipart.hpp"

namespace im::controlling {
namespace {

constexpr const char *kAllow = "INVITE, ACK, CANCEL, BYE, UPDATE, OPTIONS";

Verdict refusal(Rejection why, int code, std::string reason, std::string_view warning = {})
{
    return Verdict::reject(why, code, std::move(reason),
                           warning.empty() ? std::string() : server_warning(warning));
}

// 7.2.1.3 step 3: a Contact that is a focus already.
bool contact_is_focus(std::string_view contact)
{
    for (std::string_view part : sip::split_outside_quotes(contact, ';')) {
        const std::string_view name = sip::trim(part.substr(0, part.find('=')));
        if (sip::iequals(name, "isfocus")) return true;
    }
    return false;
}

// The participant's MSRP stream, as the relay and the answer need it.
struct MsrpOffer {
    std::string accept_types;  // comma-separated for the control protocol
    bool tls = false;
};

// 7.2.1.3 step 7: media the switch can serve. The offer must be an IM
// session (sendrecv MSRP, read_session_offer's rules), in an application/sdp
// body, whose endpoint can connect to the relay (not a=setup:passive).
std::optional<MsrpOffer> acceptable_media(const sip::Request &invite, Verdict &verdict)
{
    participating::OfferResult offer = participating::read_session_offer(invite);
    if (!offer.verdict.proceed()) {
        verdict = std::move(offer.verdict);
        return std::nullopt;
    }
    if (!offer.offer || offer.offer->kind != participating::SessionKind::conversation) {
        verdict = refusal(Rejection::media, 488, "Not Acceptable Here", "An IM Group Session needs sendrecv MSRP media");
        return std::nullopt;
    }
    if (xml::media_type_of(invite.content_type) != "application/sdp") {
        verdict = refusal(Rejection::media, 488, "Not Acceptable Here", "The offer must be an application/sdp body");
        return std::nullopt;
    }
    auto sdp = sip::parse_sdp(invite.body);
    if (!sdp.ok()) {
        verdict = refusal(Rejection::malformed, 400, "Bad Request", "Malformed SDP");
        return std::nullopt;
    }
    for (const auto &media : sdp.value().media) {
        if (!media.is_msrp() || media.port == 0) continue;
        if (auto setup = media.attribute("setup"); setup && sip::trim(*setup) == "passive") {
            verdict = refusal(Rejection::media, 488, "Not Acceptable Here", "The MSRP switch does not connect out (a=setup:passive)");
            return std::nullopt;
        }
        MsrpOffer msrp;
        msrp.tls = media.protocol == "TCP/TLS/MSRP";
        for (std::string_view type : sip::split_outside_quotes(media.attribute("accept-types").value_or("*"), ' ')) {
            if (type.empty()) continue;
            if (!msrp.accept_types.empty()) msrp.accept_types += ',';
            msrp.accept_types += type;
        }
        if (msrp.accept_types.empty()) msrp.accept_types = "*";
        return msrp;
    }
    verdict = refusal(Rejection::media, 488, "Not Acceptable Here", "No MSRP media in the offer");
    return std::nullopt;
}

}  // namespace

std::optional<std::string> focus_answer(std::string_view offer, std::string_view relay_path, std::string_view session_id)
{
    auto anchored = participating::anchor_sdp(offer, relay_path);
    if (!anchored.ok()) return std::nullopt;
    std::string answer = std::move(anchored.value());
    auto relay = msrp::parse_uri(relay_path);  // anchor_sdp accepted it
    if (!relay.ok()) return std::nullopt;
    std::string host = relay.value().host;
    const bool ipv6 = host.starts_with('[');
    if (ipv6) host = host.substr(1, host.size() - 2);
    // The answer's origin is the focus's (RFC 4566 5.2), not the offerer's.
    const std::string origin = "o=IM-serv " + std::to_string(std::hash<std::string_view>{}(session_id) % 1000000000) +
                               " 1 IN " + (ipv6 ? "IP6 " : "IP4 ") + host;
    for (std::size_t line = 0; line < answer.size();) {
        std::size_t end = answer.find('\n', line);
        if (end == std::string::npos) end = answer.size();
        if (answer.compare(line, 2, "o=") == 0) {
            const std::size_t stop = end > line && answer[end - 1] == '\r' ? end - 1 : end;
            answer.replace(line, stop - line, origin);
            break;
        }
        line = end + 1;
    }
    return answer;
}

std::optional<std::string> ConferenceFocus::session_of(std::string_view request_uri) const
{
    auto uri = sip::parse_uri(sip::uri_of_name_addr(request_uri));
    return uri ? session_id_of(*uri, config_.session_prefix) : std::nullopt;
}

std::optional<OngoingSession> ConferenceFocus::ongoing_session(std::string_view request_uri)
{
    auto uri = sip::parse_uri(sip::uri_of_name_addr(request_uri));
    auto id = uri ? session_id_of(*uri, config_.session_prefix) : std::nullopt;
    if (!id) return std::nullopt;
    auto conference = conferences_.find(*id);
    if (!conference) return std::nullopt;
    OngoingSession session;
    session.identity = session_identity_of(*uri);
    for (auto &participant : conferences_.participants(conference->id))
        session.participants.push_back(std::move(participant.identity));
    if (!conference->group_uri.empty())
        if (auto group = groups_.snapshot(conference->group_uri)) session.anonymity_allowed = group->anonymity_allowed;
    return session;
}

JoinOutcome ConferenceFocus::refuse(Verdict verdict) const { return {Action::reply(std::move(verdict)), {}, {}, {}}; }

// 7.2.1.1 step 3, 7.2.1.12: the participant refreshes the session.
Header ConferenceFocus::session_expires_header() const
{
    return {"Session-Expires", std::to_string(config_.session_expires) + ";refresher=uac"};
}

std::vector<Header> ConferenceFocus::focus_headers(const std::string &conference_id, const std::string &focus_address,
                                                   const std::string &asserted_identity, bool timer_supported) const
{
    std::vector<Header> headers{
        {"Contact", "<sip:" + config_.session_prefix + conference_id + "@" + focus_address + ">;isfocus;+g.oma.sip-im"},
        {"P-Asserted-Identity", "<" + asserted_identity + ">"},
        {"Server", kServerProduct},
        {"Allow", kAllow},
        session_expires_header(),
    };
    if (timer_supported) headers.push_back({"Require", "timer"});
    return headers;
}

JoinOutcome ConferenceFocus::join(const sip::Request &invite, const InviteContext &context)
{
    // 7.2.1.3 step 1, 7.2.1.4 step 1, 7.2.1.5 step 1.
    if (Verdict v = participating::require_im_feature_tag(invite); !v.proceed()) return refuse(std::move(v));

    // 7.2.1.3 step 2: a group owned here, or (7.2.1.5) an active session's identity.
    std::optional<store::Conference> active;
    std::shared_ptr<const store::Group> group;
    if (auto session = session_of(invite.request_uri)) {
        active = conferences_.find(*session);
        if (!active) return refuse(refusal(Rejection::not_found, 404, "Not Found", "No such IM Session here"));
        if (!active->group_uri.empty()) group = groups_.snapshot(active->group_uri);
    } else {
        auto target = sip::aor_of(invite.request_uri);
        if (target && *target == config_.conference_factory)
            return refuse(Verdict::reply(501, "Not Implemented", server_warning("Ad-hoc IM Group Sessions are not offered yet")));
        if (target) group = groups_.snapshot(*target);
        if (!group) return refuse(refusal(Rejection::not_found, 404, "Not Found", "Conference URI does not exist"));
        active = conferences_.find_by_group(group->uri);
    }
    if (!group) return refuse(refusal(Rejection::not_found, 404, "Not Found", "The session's group no longer exists"));

    // 7.2.1.3 step 3.
    if (contact_is_focus(invite.contact))
        return refuse(refusal(Rejection::other, 403, "Forbidden", "isfocus already assigned"));

    // 7.2.1.3 steps 4-5: who may start the session, who may join it (7.2.2.3, 7.2.2.9).
    OriginatorResult who = authenticate_originator(invite, identity_);
    if (!who.verdict.proceed()) return refuse(std::move(who.verdict));
    const Originator &originator = *who.originator;
    if (!active && !store::allowed(group->rules.may_initiate_session, *group, originator.aor))
        return refuse(refusal(Rejection::not_allowed, 403, "Forbidden", "Not allowed to start a session of this group"));
    if (!store::allowed(group->rules.may_join, *group, originator.aor))
        return refuse(refusal(Rejection::not_allowed, 403, "Forbidden", "Not allowed to join this group's session"));

    // 7.2.1.4 step 4: <max-participant-count>.
    if (active && group->max_participants &&
        conferences_.participant_count(active->id) >= static_cast<std::size_t>(*group->max_participants))
        return refuse(refusal(Rejection::too_many, 486, "Busy Here", "Too many participants"));

    // 7.2.1.3 step 6: anonymity only where the group allows it.
    if (originator.privacy_requested && !group->anonymity_allowed)
        return refuse(refusal(Rejection::anonymity, 403, "Forbidden", "Anonymity is not allowed in this group"));

    // 7.2.1.3 step 7.
    Verdict media_verdict;
    std::optional<MsrpOffer> media = acceptable_media(invite, media_verdict);
    if (!media) return refuse(std::move(media_verdict));

    // 7.2.1.3 step 8 / 7.2.1.4 step 7: the group's session, started when it
    // has none. Two members may start it at once: the store keeps one, the
    // other relay session goes.
    if (!active) {
        store::Conference started{switch_.create(), group->uri, originator.aor, clock_.now()};
        active = conferences_.start(started);
        if (active->id != started.id) switch_.end(started.id);
    }

    ConferenceSwitch::Joined joined = switch_.add(active->id, originator.aor, media->accept_types,
                                                  originator.privacy_requested);
    const std::string &path = media->tls ? joined.path_tls : joined.path;
    if (path.empty()) {
        switch_.remove(active->id, joined.participant);
        return refuse(refusal(Rejection::media, 488, "Not Acceptable Here", "MSRP over TLS is not offered here"));
    }
    auto answer = focus_answer(invite.body, path, active->id);
    if (!answer) {
        switch_.remove(active->id, joined.participant);
        return refuse(refusal(Rejection::malformed, 400, "Bad Request", "Malformed SDP"));
    }

    store::ConferenceParticipant participant;
    participant.conference = active->id;
    participant.participant = joined.participant;
    participant.identity = originator.aor;
    participant.anonymous = originator.privacy_requested;
    participant.dialog.call_id = std::string(invite.call_id);
    participant.dialog.local_tag = context.local_tag;
    participant.dialog.remote_tag = context.remote_tag;
    participant.dialog.local_uri = std::string(sip::uri_of_name_addr(invite.to_uri));
    participant.dialog.remote_uri = std::string(sip::uri_of_name_addr(invite.from_uri));
    participant.dialog.remote_target = context.remote_target;
    participant.dialog.route_set = context.route_set;
    participant.dialog.socket = context.socket;
    participant.sdp_answer = *answer;
    participant.joined_at = clock_.now();
    try {
        conferences_.add_participant(participant);
    } catch (...) {
        switch_.remove(active->id, joined.participant);
        throw;
    }

    // 7.2.1.1: the 200 of a pre-defined group's session.
    JoinOutcome outcome{Action::reply(Verdict::reply(200, "OK")), std::move(*answer), active->id, joined.participant};
    outcome.action.reply_headers = focus_headers(active->id, context.focus_address, group->uri, context.timer_supported);
    return outcome;
}

DialogOutcome ConferenceFocus::in_dialog(const sip::Request &request)
{
    if (sip::iequals(request.method, "ACK")) return {};
    auto participant = conferences_.find_by_dialog(std::string(request.call_id), std::string(request.to_tag));
    if (!participant)
        return {Action::reply(Verdict::reply(481, "Call/Transaction Does Not Exist")), {}, {}, false};
    if (sip::iequals(request.method, "BYE")) return leave(*participant);
    if (sip::iequals(request.method, "INVITE") || sip::iequals(request.method, "UPDATE")) {
        // 7.2.1.12: a refresh keeps the session's media (7.2.1.6 changes to
        // it are not offered yet: the same answer again).
        DialogOutcome outcome{Action::reply(Verdict::reply(200, "OK")), {}, {}, false};
        if (!request.body.empty()) outcome.body = participant->sdp_answer;
        outcome.action.reply_headers = {
            {"Server", kServerProduct},
            {"Allow", kAllow},
            session_expires_header(),
        };
        return outcome;
    }
    if (sip::iequals(request.method, "OPTIONS")) {
        DialogOutcome outcome{Action::reply(Verdict::reply(200, "OK")), {}, {}, false};
        outcome.action.reply_headers = {{"Allow", kAllow}, {"Server", kServerProduct}};
        return outcome;
    }
    DialogOutcome outcome{Action::reply(Verdict::reply(405, "Method Not Allowed")), {}, {}, false};
    outcome.action.reply_headers = {{"Allow", kAllow}};
    return outcome;
}

// 7.2.1.11: the participant's BYE is answered 200, its MSRP is released,
// and the release policy decides whether the session goes on.
DialogOutcome ConferenceFocus::leave(const store::ConferenceParticipant &leaver)
{
    DialogOutcome outcome{Action::reply(Verdict::reply(200, "OK")), {}, {}, false};
    outcome.action.reply_headers = {{"Server", kServerProduct}};
    conferences_.remove_participant(leaver.conference, leaver.participant);
    try {
        switch_.remove(leaver.conference, leaver.participant);
    } catch (const SwitchError &) {
        // The relay lost the session (restart): the release below ends it.
    }
    auto conference = conferences_.find(leaver.conference);
    if (!conference) return outcome;

    // 7.2.2.8.
    std::shared_ptr<const store::Group> group;
    if (!conference->group_uri.empty()) group = groups_.snapshot(conference->group_uri);
    const bool initiator_left = leaver.identity == conference->initiator;
    const bool release = !group                                              // f) the group was deleted
                         || (initiator_left && group->auto_release)          // b) auto-release
                         || conferences_.participant_count(conference->id) <=  // d) too few left
                                static_cast<std::size_t>(config_.remaining_participants);
    if (release) {
        outcome.byes = this->release(*conference);
        outcome.session_ended = true;
    }
    return outcome;
}

std::vector<ByeOrder> ConferenceFocus::end_group_session(const std::string &group_uri)
{
    auto found = conferences_.find_by_group(group_uri);
    if (!found) return {};
    return release(*found);
}

std::vector<ByeOrder> ConferenceFocus::end_lost_sessions()
{
    // The store first: a session is stored only after the relay created it,
    // so one the relay lacks afterwards is lost, not still being set up.
    const std::vector<store::Conference> stored = conferences_.list();
    if (stored.empty()) return {};
    std::vector<std::string> live = switch_.sessions();
    std::sort(live.begin(), live.end());
    std::vector<ByeOrder> byes;
    for (const auto &conference : stored) {
        if (std::binary_search(live.begin(), live.end(), conference.id)) continue;
        auto ended = release(conference);
        std::move(ended.begin(), ended.end(), std::back_inserter(byes));
    }
    return byes;
}

// 7.2.2.5: every participant left is removed (BYE), then the session and
// its MSRP switch go. Another process ending it at the same time sends no
// second BYE: only the one whose end() removed the session sends them.
std::vector<ByeOrder> ConferenceFocus::release(const store::Conference &conference)
{
    std::vector<ByeOrder> byes;
    for (auto &participant : conferences_.participants(conference.id)) {
        auto cseq = conferences_.next_local_cseq(conference.id, participant.participant);
        if (cseq) byes.push_back({std::move(participant), *cseq});
    }
    if (!conferences_.end(conference.id)) return {};
    try {
        switch_.end(conference.id);
    } catch (const SwitchError &) {
        // Gone from the relay already; its idle timeout is the safety net.
    }
    return byes;
}

}  // namespace im::controlling

#include "im/history/session_recording.hpp"

#include <algorithm>

#include "im/participating/steps.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/version.hpp"

namespace im::history {
namespace {

constexpr const char *kAllow = "REFER, OPTIONS";

Verdict refusal(Rejection why, int code, std::string reason, std::string_view warning)
{
    return Verdict::reject(why, code, std::move(reason), server_warning(warning));
}

ReferOutcome refused(Verdict verdict)
{
    ReferOutcome outcome;
    outcome.action = Action::reply(std::move(verdict));
    return outcome;
}

enum class ReferMethod { invite, bye, other };

// RFC 3515 2.1: the method of the Refer-To URI's "method" parameter,
// INVITE when there is none.
ReferMethod refer_method(std::string_view uri_params)
{
    for (std::string_view param : sip::split_outside_quotes(uri_params, ';')) {
        const std::size_t eq = param.find('=');
        if (!sip::iequals(sip::trim(param.substr(0, eq)), "method")) continue;
        const std::string_view method = eq == std::string_view::npos ? std::string_view{} : sip::trim(param.substr(eq + 1));
        if (sip::iequals(method, "INVITE")) return ReferMethod::invite;
        if (sip::iequals(method, "BYE")) return ReferMethod::bye;
        return ReferMethod::other;
    }
    return ReferMethod::invite;
}

}  // namespace

bool HistoryFunction::owns(std::string_view request_uri) const
{
    auto target = sip::aor_of(request_uri);
    return target && *target == config_.history_uri;
}

ReferOutcome HistoryFunction::refer(const sip::Request &refer, std::string_view refer_to, std::string_view contact)
{
    // 11.2.2.1 step 2.
    if (Verdict v = participating::require_im_feature_tag(refer); !v.proceed())
        return refused(std::move(v));
    // 11.2.2.1 step 1 a), 11.2.2.2 step 1: the referrer's asserted identity.
    OriginatorResult who = authenticate_originator(refer, identity_);
    if (!who.verdict.proceed())
        return refused(std::move(who.verdict));
    const std::string &owner = who.originator->aor;

    // RFC 3515 2.4.1: exactly one Refer-To; 11.1.1 c): the session identity.
    auto target = sip::parse_uri(sip::uri_of_name_addr(sip::trim(refer_to)));
    if (!target)
        return refused(refusal(Rejection::malformed, 400, "Bad Request", "The REFER needs a Refer-To with a SIP URI"));
    const ReferMethod method = refer_method(target->params);
    if (method == ReferMethod::other)
        return refused(refusal(Rejection::malformed, 400, "Bad Request", "Refer-To method must be INVITE or BYE"));
    std::optional<store::Conference> session;
    if (auto id = controlling::session_id_of(*target, config_.session_prefix)) session = conferences_.find(*id);
    if (!session)
        return refused(refusal(Rejection::not_found, 404, "Not Found", "Refer-To names no ongoing IM Session here"));

    // 11.2.2.2 step 1 (7.2.2.3, 7.2.2.7): only a participant records its session.
    const auto participants = conferences_.participants(session->id);
    if (std::none_of(participants.begin(), participants.end(), [&](const auto &p) { return p.identity == owner; }))
        return refused(refusal(Rejection::not_allowed, 403, "Forbidden", "Not a participant of this IM session"));

    const std::string identity = controlling::session_identity_of(*target);
    ReferOutcome outcome;
    if (method == ReferMethod::bye)
        stop(owner, *session, outcome);
    else
        start(owner, *session, identity, outcome);
    if (outcome.action.verdict.code != 0) return outcome;

    // 11.2.2.2 steps 3-4, 11.2.2.1: the 2xx (RFC 3515: 202), and the NOTIFY
    // that reports the outcome (step 6).
    outcome.action = Action::reply(Verdict::reply(202, "Accepted"));
    outcome.action.reply_headers = {
        {"Contact", std::string(contact)},
        {"Server", kServerProduct},
        {"Allow", kAllow},
    };
    outcome.conference = session->id;
    outcome.notify_status = "SIP/2.0 200 OK";
    return outcome;
}

void HistoryFunction::start(const std::string &owner, const store::Conference &session, const std::string &identity,
                            ReferOutcome &outcome)
{
    if (recordings_.running(owner, session.id)) return;  // already recording: nothing to do
    Recording recording;
    recording.owner = owner;
    recording.conference = session.id;
    recording.session_identity = identity;
    recording.started_at = clock_.now();
    try {
        recording.recorder = recorder_.add(session.id, owner);
    } catch (const RecorderError &) {
        outcome.action = Action::reply(Verdict::reply(503, "Service Unavailable", server_warning("The recorder cannot join the session now")));
        return;
    }
    // The recorder goes again when it is not kept: the relay's session
    // ends with the conference anyway, so a relay that cannot be reached
    // for it is no error.
    const auto drop_recorder = [&] {
        try {
            recorder_.remove(session.id, recording.recorder);
        } catch (const RecorderError &) {
        }
    };
    try {
        // Another process may have started the same recording meanwhile:
        // one recorder stays.
        if (!recordings_.start(recording)) {
            drop_recorder();
            return;
        }
    } catch (...) {
        drop_recorder();
        throw;
    }
    outcome.started = true;
}

void HistoryFunction::stop(const std::string &owner, const store::Conference &session, ReferOutcome &outcome)
{
    auto running = recordings_.running(owner, session.id);
    if (!running) {
        outcome.action = Action::reply(refusal(Rejection::not_found, 404, "Not Found", "You are not recording this IM Session"));
        return;
    }
    try {
        recorder_.remove(session.id, running->recorder);
    } catch (const RecorderError &) {
        outcome.action = Action::reply(Verdict::reply(503, "Service Unavailable", server_warning("The recorder cannot leave the session now")));
        return;
    }
    recordings_.stop(owner, session.id, clock_.now());
    outcome.stopped = true;
}

std::vector<Recording> HistoryFunction::recordings(const std::string &owner)
{
    std::vector<Recording> list = recordings_.list(owner);
    for (Recording &r : list) {
        if (!r.recording() || conferences_.find(r.conference)) continue;
        const std::int64_t now = clock_.now();
        recordings_.stop(owner, r.conference, now);
        r.ended_at = now;
        r.recorder.clear();
    }
    return list;
}

}  // namespace im::history

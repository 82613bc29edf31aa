#include "msrp_relay/msrp_switch.hpp"

#include <algorithm>
#include <ctime>
#include <utility>

#include "im/msrp/encapsulation.hpp"
#include "im/msrp/parser.hpp"
#include "im/msrp/replies.hpp"
#include "im/msrp/serializer.hpp"
#include "msrp_relay/cpim.hpp"

namespace im::msrp_relay {
namespace {

using im::msrp::ByteRange;
using im::msrp::Continuation;
using im::msrp::MethodKind;
using im::msrp::Request;
using im::msrp::Response;

constexpr std::string_view kCpimType = "message/cpim";
// What a held request costs besides its body (paths and headers), for the held-bytes bound.
constexpr std::size_t kHeldRequestOverhead = 512;
// Bodies from this size on are written from the string they arrived in
// (Outgoing::body) rather than copied behind their head; below it one
// contiguous frame is cheaper than a separate buffer.
constexpr std::size_t kSeparateBodyBytes = 2048;

std::string_view bare_media_type(std::string_view content_type)
{
    std::string_view type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
    return type;
}

bool is_cpim(std::string_view content_type)
{
    std::string_view type = bare_media_type(content_type);
    if (type.size() != kCpimType.size()) return false;
    for (std::size_t i = 0; i < type.size(); ++i) {
        char c = type[i] >= 'A' && type[i] <= 'Z' ? static_cast<char>(type[i] - 'A' + 'a') : type[i];
        if (c != kCpimType[i]) return false;
    }
    return true;
}

std::size_t body_size(const Request &request) { return request.body ? request.body->bytes.size() : 0; }

// The request minus its body: what is remembered of a SEND in flight.
Request without_body(Request &request)
{
    auto body = std::exchange(request.body, std::nullopt);
    Request head = request;
    request.body = std::move(body);
    return head;
}

bool has_recorder(const Session &session)
{
    return std::ranges::any_of(session.participants, &Participant::recorder);
}

// The header lines of a request from To-Path on, CRLF each, without
// Byte-Range (a stored message is whole) and without Content-Type.
std::string header_lines(Request head)
{
    head.body.reset();
    head.fields.erase<ByteRange>();
    std::string wire = im::msrp::serialize(head);
    std::size_t start = wire.find("\r\n") + 2;
    std::size_t end = wire.rfind("-------");
    return wire.substr(start, end - start);
}

Participant *other_side(Session &session, const Participant &sender)
{
    for (Participant &participant : session.participants) {
        if (&participant != &sender) return &participant;
    }
    return nullptr;
}

}  // namespace

MsrpSwitch::MsrpSwitch(SessionRegistry &sessions, const RelayAddress &address, im::msrp::RandomSource random,
                       WallClock wall_clock, SwitchLimits limits)
    : sessions_(sessions), address_(address), random_(std::move(random)),
      wall_clock_(std::move(wall_clock)), limits_(limits)
{
}

std::vector<Outgoing> MsrpSwitch::on_frame(ConnectionId from, im::msrp::Frame frame, SteadyClock::time_point now)
{
    std::vector<Outgoing> out;
    on_frame(from, std::move(frame), now, out);
    return out;
}

void MsrpSwitch::on_frame(ConnectionId from, im::msrp::Frame frame, SteadyClock::time_point now,
                          std::vector<Outgoing> &out)
{
    std::size_t first = out.size();
    on_frame_here(from, std::move(frame), now, out);
    route_loopback(first, now, out);
}

void MsrpSwitch::route_loopback(std::size_t first, SteadyClock::time_point now, std::vector<Outgoing> &out)
{
    // Each round takes the frames sent to ourselves and receives them; a
    // request loses our URI at every hop, so paths through our own URIs end,
    // and the bound stops a loop a peer could build with paths that do not.
    constexpr int kMaxLoopbackRounds = 16;
    for (int round = 0; round < kMaxLoopbackRounds; ++round) {
        std::vector<std::string> looped;
        auto kept = std::stable_partition(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
                                          [](const Outgoing &o) { return o.connection != kLoopbackConnection; });
        if (kept == out.end()) return;
        for (auto it = kept; it != out.end(); ++it) looped.push_back(it->wire());
        out.erase(kept, out.end());
        for (const std::string &wire : looped) {
            im::msrp::Parser parser;
            std::vector<im::msrp::Frame> frames;
            parser.feed(wire, frames);  // our own output: always whole and valid
            for (im::msrp::Frame &frame : frames) on_frame_here(kLoopbackConnection, std::move(frame), now, out);
        }
    }
    std::erase_if(out, [](const Outgoing &o) { return o.connection == kLoopbackConnection; });
}

void MsrpSwitch::on_frame_here(ConnectionId from, im::msrp::Frame frame, SteadyClock::time_point now,
                               std::vector<Outgoing> &out)
{
    now_ = now;
    if (auto *request = std::get_if<Request>(&frame)) {
        ++counters_.messages_in;
        on_request(from, std::move(*request), now, out);
    } else {
        on_response(from, std::get<Response>(frame), out);
    }
}

void MsrpSwitch::on_connection_closed(ConnectionId connection)
{
    sessions_.unbind(connection);
    pending_.erase(connection);
    secure_.erase(connection);
    if (auth_ != nullptr) auth_->drop_connection(connection);
}

std::vector<Outgoing> MsrpSwitch::fail_pending(ConnectionId connection, int status, std::string comment)
{
    std::vector<Outgoing> out;
    auto found = pending_.find(connection);
    if (found == pending_.end()) return out;
    PendingOnConnection pending = std::move(found->second);
    pending_.erase(found);
    for (const std::string &transaction_id : pending.order) {
        auto sent = pending.by_transaction.find(transaction_id);
        if (sent == pending.by_transaction.end()) continue;
        ++counters_.unreachable;
        report_failure(sent->second, status, comment, out);
    }
    return out;
}

std::vector<Outgoing> MsrpSwitch::expire_transactions(SteadyClock::time_point now)
{
    std::vector<Outgoing> out;
    for (auto &[connection, pending] : pending_) {
        // Sent in order, so the oldest are at the front.
        while (!pending.order.empty()) {
            auto found = pending.by_transaction.find(pending.order.front());
            if (found != pending.by_transaction.end() && now - found->second.sent_at < limits_.transaction_timeout)
                break;
            if (found != pending.by_transaction.end()) {
                PendingSend expired = std::move(found->second);
                pending.by_transaction.erase(found);
                ++counters_.transaction_timeouts;
                report_failure(expired, im::msrp::kStatusTimeout, {}, out);
            } else if (pending.answered_out_of_order > 0) {
                --pending.answered_out_of_order;
            }
            pending.order.pop_front();
        }
    }
    std::erase_if(pending_, [](const auto &entry) { return entry.second.order.empty(); });
    return out;
}

void MsrpSwitch::on_request(ConnectionId from, Request request, SteadyClock::time_point now,
                            std::vector<Outgoing> &out)
{
    // The parser guarantees a non-empty To-Path; its first URI is ours.
    if (request.kind() == MethodKind::auth && request.to_path.size() == 1) {
        on_auth(from, request, now, out);
        return;
    }
    const std::string &session_id = request.to_path.front().session_id;
    if (auth_ != nullptr && !session_id.empty()) {
        if (const AuthGrant *grant = auth_->find(session_id, now)) {
            grant_request(*grant, from, std::move(request), out);
            return;
        }
    }
    auto leg = sessions_.find_leg(session_id);
    if (!leg) {
        ++counters_.no_session;
        reply(from, request, im::msrp::kStatusNoSession, out);
        return;
    }
    Session &session = *leg->session;
    Participant &sender = *leg->participant;
    if (sender.recorder) {
        // A recorder is silent: nobody speaks through it.
        ++counters_.no_session;
        reply(from, request, im::msrp::kStatusNoSession, out);
        return;
    }
    if (!sender.bound()) {
        // RFC 4975 5.4: the first request on a connection binds it to the session.
        sender.connection = from;
        sender.peer_path = request.from_path;
        sender.bound_uri = request.to_path.front();
        flush_held(sender, out);
    } else if (sender.connection != from) {
        ++counters_.session_in_use;
        reply(from, request, im::msrp::kStatusSessionInUse, out);
        return;
    }
    session.last_activity = now;

    if (request.kind() != MethodKind::send && request.kind() != MethodKind::report) {
        // An AUTH to a session path, not to this relay, included.
        ++counters_.unknown_method;
        reply(from, request, im::msrp::kStatusUnknownMethod, out);
        return;
    }
    switch (session.kind) {
    case SessionKind::relay: relay_request(session, sender, from, std::move(request), out); return;
    case SessionKind::conference: conference_request(session, sender, from, std::move(request), out); return;
    case SessionKind::endpoint: endpoint_request(session, sender, from, std::move(request), out); return;
    }
}

void MsrpSwitch::on_auth(ConnectionId from, const Request &request, SteadyClock::time_point now,
                         std::vector<Outgoing> &out)
{
    if (auth_ == nullptr) {
        // No credentials configured: this relay authorizes nobody (RFC 4976
        // leaves the policy to the relay; 403 is its refusal).
        out.push_back({from, im::msrp::serialize(im::msrp::make_response(request, im::msrp::kStatusForbidden,
                                                                         "AUTH not offered here"))});
        return;
    }
    RelayAuth::Answer answer = auth_->answer(from, secure_.contains(from), request, address_, now);
    if (!answer.log.empty() && auth_log_) auth_log_(answer.log);
    out.push_back({from, im::msrp::serialize(answer.response)});
}

void MsrpSwitch::grant_request(const AuthGrant &grant, ConnectionId from, Request request,
                               std::vector<Outgoing> &out)
{
    bool is_send = request.kind() == MethodKind::send;
    if (!is_send && request.kind() != MethodKind::report) {
        // An AUTH for a relay further on would need its response carried
        // back; this relay does not chain AUTH (see the README).
        ++counters_.unknown_method;
        reply(from, request, im::msrp::kStatusUnknownMethod, out);
        return;
    }
    if (request.to_path.size() < 2) {
        // Addressed to the Use-Path alone: there is nobody to forward to.
        ++counters_.no_session;
        reply(from, request, im::msrp::kStatusNoSession, out);
        return;
    }
    Origin origin{{}, from, request.to_path.front()};
    ConnectionId target = 0;
    im::msrp::Uri ours;
    if (from == grant.connection) {
        // From the client (RFC 4976 7.3): on to the next hop, which may be
        // this relay itself (a session path or another client's Use-Path).
        const im::msrp::Uri &next = request.to_path[1];
        if (address_.is_ours(next)) target = kLoopbackConnection;
        else if (outbound_) target = outbound_(next);
        ours = address_.uri_for(grant.id, next.secure);
    } else {
        // For the client: only with the client's own URI next (a request
        // using the Use-Path to go elsewhere must come from its owner).
        if (!im::msrp::equivalent(request.to_path[1], grant.client_path.front())) {
            ++counters_.forbidden;
            reply(from, request, im::msrp::kStatusForbidden, out);
            return;
        }
        target = grant.connection;
        ours = address_.uri_for(grant.id, grant.secure);
    }
    // SENDs are answered hop by hop (as the two-party relay does); a next hop
    // that fails is reported.
    if (is_send) reply(from, request, im::msrp::kStatusOk, out);
    request.to_path.erase(request.to_path.begin());
    request.from_path.insert(request.from_path.begin(), std::move(ours));
    if (target == 0) {
        ++counters_.unreachable;
        if (!is_send || im::msrp::failure_report(request) == im::msrp::FailureReport::no) return;
        PendingSend failed{std::move(origin), without_body(request), body_size(request), now_};
        report_failure(failed, im::msrp::kStatusTimeout, "Next hop unreachable", out);
        return;
    }
    deliver(target, std::move(request), std::move(origin), out);
}

void MsrpSwitch::endpoint_request(Session &session, Participant &peer, ConnectionId from, Request request,
                                  std::vector<Outgoing> &out)
{
    // REPORTs are about the stored messages the relay sent: consumed.
    if (request.kind() != MethodKind::send) return;
    if (!request.body) {
        reply(from, request, im::msrp::kStatusOk, out);
        return;
    }
    if (!peer.accepts(request.body->content_type)) {
        ++counters_.unsupported_media;
        reply(from, request, im::msrp::kStatusUnsupportedMedia, out);
        return;
    }
    Request head = without_body(request);
    Reassembled result = reassemble_for_store(peer, std::move(request));
    if (result.status != im::msrp::kStatusOk) {
        ++counters_.refused;
        reply(from, head, result.status, out);
        return;
    }
    if (!result.message) {
        reply(from, head, im::msrp::kStatusOk, out);  // more to come (or aborted): nothing to keep yet
        return;
    }
    std::uint64_t size = result.message->bytes.size();
    // Nothing acknowledged is lost: the 200 of the last chunk follows the commit.
    auto stored = store_ ? store_->add(stored_message(session, result.first, std::move(*result.message)))
                         : im::msrp::Result<std::int64_t, im::msrp::StoreFailure>(im::msrp::StoreFailure{"no store"});
    if (!stored.ok()) {
        ++counters_.store_failures;
        if (im::msrp::response_expected(head, kStatusStoreFailed))
            out.push_back({from, im::msrp::serialize(im::msrp::make_response(head, kStatusStoreFailed, "Not Stored"))});
        return;
    }
    ++counters_.stored;
    ++session.stored;
    reply(from, head, im::msrp::kStatusOk, out);
    if (im::msrp::success_report(head) == im::msrp::SuccessReport::yes) {
        out.push_back({from, im::msrp::serialize(im::msrp::make_report(head, im::msrp::make_transaction_id(random_),
                                                                        im::msrp::kStatusOk, std::nullopt,
                                                                        ByteRange{1, size, size}))});
        ++counters_.messages_out;
    }
}

MsrpSwitch::Reassembled MsrpSwitch::reassemble_for_store(Participant &sender, Request chunk)
{
    Reassembled result;
    const im::msrp::MessageId *id = chunk.fields.find<im::msrp::MessageId>();
    if (id == nullptr) {
        result.status = im::msrp::kStatusBadRequest;
        return result;
    }
    std::string message_id = id->value;
    if (!sender.first_chunks.contains(message_id)) {
        // Bounded like the reassembler's open messages (it forgets, so must this).
        if (sender.first_chunks.size() >= 2 * kStoredReassemblyLimits.max_open_messages)
            sender.first_chunks.erase(sender.first_chunks.begin());
        sender.first_chunks.emplace(message_id, without_body(chunk));
    }
    auto outcome = sender.recording.add(std::move(chunk));
    if (!outcome.ok()) {
        sender.first_chunks.erase(message_id);
        result.status = im::msrp::kStatusStopSending;
        return result;
    }
    if (outcome.value().state == im::msrp::ChunkState::pending) return result;
    auto first = sender.first_chunks.extract(message_id);
    if (outcome.value().state == im::msrp::ChunkState::complete) {
        result.message = std::move(outcome.value().message);
        result.first = std::move(first.mapped());
    }
    return result;
}

im::msrp::StoredMessage MsrpSwitch::stored_message(const Session &session, const Request &first,
                                                   im::msrp::CompleteMessage message) const
{
    im::msrp::StoredMessage stored;
    stored.session = session.id;
    stored.owner = session.owner;
    stored.role = "endpoint";
    stored.kind = "msrp";
    stored.sender = !session.peer_identity.empty() ? session.peer_identity
                    : first.from_path.empty()      ? std::string()
                                                   : im::msrp::to_string(first.from_path.back());
    stored.message_id = std::move(message.message_id);
    stored.transaction_id = first.transaction_id;
    stored.headers = header_lines(first);
    stored.content_type = std::move(message.content_type);
    stored.body = std::move(message.bytes);
    stored.received_at_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(wall_clock_().time_since_epoch()).count();
    return stored;
}

bool MsrpSwitch::record(const Session &session, const Participant &sender, const Request &first,
                        const im::msrp::CompleteMessage &message)
{
    bool all = true;
    for (const Participant &recorder : session.participants) {
        if (!recorder.recorder) continue;
        im::msrp::StoredMessage stored = stored_message(session, first, message);
        stored.owner = recorder.identity;
        stored.role = "recorder";
        stored.sender = std::string(sender.shown_identity());
        if (store_ == nullptr || !store_->add(stored).ok()) {
            ++counters_.store_failures;
            all = false;
            continue;
        }
        ++counters_.stored;
    }
    return all;
}

std::vector<Outgoing> MsrpSwitch::send_stored(Session &session, const std::vector<im::msrp::StoredMessage> &messages,
                                              SteadyClock::time_point now)
{
    std::vector<Outgoing> out;
    now_ = now;
    if (session.kind != SessionKind::endpoint || session.participants.empty()) return out;
    Participant &peer = session.participants.front();
    for (const im::msrp::StoredMessage &stored : messages) {
        im::msrp::Body body = im::msrp::encapsulate_stored(stored, random_);
        std::string message_id = im::msrp::make_message_id(random_);
        std::uint64_t total = body.bytes.size();
        std::uint64_t offset = 0;
        do {
            std::uint64_t length = std::min<std::uint64_t>(limits_.conference_chunk_bytes, total - offset);
            Request chunk;
            chunk.method = "SEND";
            chunk.from_path = {uri_toward(peer)};
            chunk.fields.set(im::msrp::MessageId{message_id});
            chunk.fields.set(ByteRange{offset + 1, offset + length, total});
            chunk.body = im::msrp::Body{body.content_type, body.bytes.substr(offset, length)};
            offset += length;
            chunk.continuation = offset < total ? Continuation::more : Continuation::complete;
            if (peer.bound()) {
                deliver(peer, std::move(chunk), {}, out);
            } else {
                // Sent when the peer connects (flush_held); asked for by the control socket, so not capped.
                peer.held_bytes += length + kHeldRequestOverhead;
                peer.held.push_back(std::move(chunk));
            }
        } while (offset < total);
        ++session.pushed;
    }
    return out;
}

void MsrpSwitch::relay_request(Session &session, Participant &sender, ConnectionId from, Request request,
                               std::vector<Outgoing> &out)
{
    Participant &peer = *other_side(session, sender);
    bool is_send = request.kind() == MethodKind::send;
    if (is_send && !request.body && !peer.bound()) {
        reply(from, request, im::msrp::kStatusOk, out);  // an empty SEND that only binds its connection
        return;
    }

    // Held for a side not connected yet: headers count too, or bodiless
    // REPORTs could pile up without bound.
    std::size_t held_size = body_size(request) + kHeldRequestOverhead;
    if (!peer.bound() && peer.held_bytes + held_size > limits_.max_held_bytes) {
        ++counters_.refused;
        if (is_send) reply(from, request, im::msrp::kStatusStopSending, out);
        return;
    }
    // RFC 4976: SENDs are answered hop by hop; REPORTs never. The answer is
    // made before the request is rewritten for the next hop below, so the
    // request needs no copy.
    if (is_send) reply(from, request, im::msrp::kStatusOk, out);

    // RFC 4976 7.3: drop our URI from the To-Path and put the URI the next
    // hop knows us by in front of the From-Path. When the sender addressed
    // only us (the path stops at the relay), the peer's own path follows;
    // an empty To-Path stands for it until the peer has connected.
    request.to_path.erase(request.to_path.begin());
    if (request.to_path.empty()) request.to_path = peer.peer_path;
    // Unbound, the peer's URI for us is not known yet: flush_held corrects it.
    request.from_path.insert(request.from_path.begin(), uri_toward(peer));

    if (!peer.bound()) {
        peer.held_bytes += held_size;
        peer.held.push_back(std::move(request));
        return;
    }
    deliver(peer, std::move(request), sender.id, out);
}

void MsrpSwitch::conference_request(Session &session, Participant &sender, ConnectionId from, Request request,
                                    std::vector<Outgoing> &out)
{
    // REPORTs from participants are about what the relay sent them; the
    // relay, as their MSRP peer, consumes them.
    if (request.kind() != MethodKind::send) return;
    if (!request.body) {
        reply(from, request, im::msrp::kStatusOk, out);
        return;
    }
    const std::string &content_type = request.body->content_type;
    if (!is_cpim(content_type)) {
        // Every chunk carries the type, so refusing is decided per chunk (RFC 4975 7.3: 415).
        bool others = false;
        bool accepted = false;
        for (const Participant &participant : session.participants) {
            if (&participant == &sender || !participant.bound()) continue;
            others = true;
            accepted = accepted || participant.accepts(content_type);
        }
        if (others && !accepted) {
            ++counters_.unsupported_media;
            reply(from, request, im::msrp::kStatusUnsupportedMedia, out);
            return;
        }
    }

    if (!is_cpim(content_type) && request.fields.find<im::msrp::MessageId>() != nullptr) {
        switch_chunk(session, sender, from, std::move(request), out);
        return;
    }
    // A participant's own CPIM is re-stamped, which needs its whole header
    // block: such messages are reassembled first.
    Request head = without_body(request);
    auto outcome = sender.incoming.add(std::move(request));
    if (!outcome.ok()) {
        ++counters_.refused;
        reply(from, head, im::msrp::kStatusStopSending, out);
        return;
    }
    bool complete = outcome.value().state == im::msrp::ChunkState::complete;
    // Recorders keep it before the last chunk is acknowledged.
    if (complete && has_recorder(session) && !record(session, sender, head, *outcome.value().message)) {
        if (im::msrp::response_expected(head, kStatusStoreFailed))
            out.push_back({from, im::msrp::serialize(im::msrp::make_response(head, kStatusStoreFailed, "Not Stored"))});
        return;
    }
    reply(from, head, im::msrp::kStatusOk, out);
    if (!complete) return;

    const im::msrp::CompleteMessage &message = *outcome.value().message;
    if (im::msrp::success_report(head) == im::msrp::SuccessReport::yes) {
        std::uint64_t size = message.bytes.size();
        Request report = im::msrp::make_report(head, im::msrp::make_transaction_id(random_), im::msrp::kStatusOk,
                                               std::nullopt, ByteRange{1, size, size});
        out.push_back({from, im::msrp::serialize(report)});
        ++counters_.messages_out;
    }
    std::size_t receivers = fan_out(session, sender, message, out);
    bool others_bound = false;
    for (const Participant &participant : session.participants)
        others_bound = others_bound || (&participant != &sender && participant.bound());
    if (others_bound && receivers == 0) {
        // Only a CPIM payload type can be refused this late: nobody accepts it.
        ++counters_.unsupported_media;
        if (im::msrp::failure_report(head) != im::msrp::FailureReport::no) {
            std::uint64_t size = message.bytes.size();
            Request report =
                im::msrp::make_report(head, im::msrp::make_transaction_id(random_),
                                      im::msrp::kStatusUnsupportedMedia, std::nullopt, ByteRange{1, size, size});
            out.push_back({from, im::msrp::serialize(report)});
            ++counters_.messages_out;
        }
    }
}

void MsrpSwitch::switch_chunk(Session &session, Participant &sender, ConnectionId from, Request request,
                              std::vector<Outgoing> &out)
{
    std::string message_id = request.fields.find<im::msrp::MessageId>()->value;
    const ByteRange range = request.fields.find<ByteRange>() ? *request.fields.find<ByteRange>() : ByteRange{};
    if (has_recorder(session)) {
        // Recorders store whole messages: a copy is reassembled, and stored
        // before the last chunk is acknowledged.
        Reassembled recorded = reassemble_for_store(sender, request);
        if (recorded.status != im::msrp::kStatusOk) {
            ++counters_.refused;
            reply(from, request, recorded.status, out);
            return;
        }
        if (recorded.message && !record(session, sender, recorded.first, *recorded.message)) {
            if (im::msrp::response_expected(request, kStatusStoreFailed))
                out.push_back({from, im::msrp::serialize(im::msrp::make_response(request, kStatusStoreFailed, "Not Stored"))});
            return;
        }
    }
    const std::string content_type = request.body->content_type;
    const std::string data = std::move(request.body->bytes);
    Request head = without_body(request);
    reply(from, head, im::msrp::kStatusOk, out);

    auto state = sender.switching.find(message_id);
    if (state == sender.switching.end()) {
        // The receivers are those present at the first chunk seen.
        if (sender.switching_order.size() >= kMaxSwitchedMessages) {
            sender.switching.erase(sender.switching_order.front());
            sender.switching_order.erase(sender.switching_order.begin());
        }
        SwitchedMessage message;
        CpimStamp stamp{std::string(sender.shown_identity()), {}, date_time_now()};
        for (const Participant &receiver : session.participants) {
            if (&receiver == &sender || !receiver.bound() || !receiver.accepts(content_type)) continue;
            stamp.to = receiver.identity;
            message.copies.push_back({receiver.id, im::msrp::make_message_id(random_), wrap_cpim(stamp, content_type, "")});
        }
        sender.switching_order.push_back(message_id);
        state = sender.switching.emplace(message_id, std::move(message)).first;
    }

    for (const SwitchedMessage::Copy &copy : state->second.copies) {
        Participant *receiver = session.find(copy.receiver);
        if (receiver == nullptr || !receiver->bound()) continue;  // left or disconnected meanwhile
        std::uint64_t shift = copy.prefix.size();
        bool first = range.start == 1;
        Request chunk;
        chunk.method = "SEND";
        chunk.to_path = receiver->peer_path;
        chunk.from_path = {uri_toward(*receiver)};
        chunk.fields.set(im::msrp::MessageId{copy.message_id});
        ByteRange shifted;
        shifted.start = first ? 1 : range.start + shift;
        shifted.end = range.start + shift + data.size() - 1;
        if (range.total) shifted.total = *range.total + shift;
        chunk.fields.set(shifted);
        chunk.body = im::msrp::Body{std::string(kCpimType), first ? copy.prefix + data : data};
        chunk.continuation = request.continuation;
        deliver(*receiver, std::move(chunk), {}, out);
    }

    if (im::msrp::success_report(head) == im::msrp::SuccessReport::yes) {
        // RFC 4975 7.1.2: a Success REPORT may cover the chunk just received.
        ByteRange received{range.start, range.start + data.size() - 1, range.total};
        out.push_back({from, im::msrp::serialize(im::msrp::make_report(head, im::msrp::make_transaction_id(random_),
                                                                        im::msrp::kStatusOk, std::nullopt, received))});
        ++counters_.messages_out;
    }
    if (request.continuation != Continuation::more) {
        sender.switching.erase(state);
        std::erase(sender.switching_order, message_id);
    }
}

std::size_t MsrpSwitch::fan_out(Session &session, const Participant &sender,
                                const im::msrp::CompleteMessage &message, std::vector<Outgoing> &out)
{
    std::size_t receivers = 0;
    std::optional<CpimMessage> cpim;
    std::string_view payload_type = bare_media_type(message.content_type);
    if (is_cpim(message.content_type)) {
        cpim = parse_cpim(message.bytes);
        if (cpim && !cpim->payload_type().empty()) payload_type = cpim->payload_type();
    }
    CpimStamp stamp{std::string(sender.shown_identity()), {}, date_time_now()};

    for (Participant &receiver : session.participants) {
        if (&receiver == &sender || !receiver.bound() || !receiver.accepts(payload_type)) continue;
        ++receivers;
        stamp.to = receiver.identity;
        // A participant's own CPIM is re-stamped so nobody can speak under another name.
        std::string body = cpim ? restamp_cpim(*cpim, stamp) : wrap_cpim(stamp, message.content_type, message.bytes);
        std::string message_id = im::msrp::make_message_id(random_);
        std::uint64_t total = body.size();
        std::uint64_t offset = 0;
        do {
            std::uint64_t length = std::min<std::uint64_t>(limits_.conference_chunk_bytes, total - offset);
            Request chunk;
            chunk.method = "SEND";
            chunk.to_path = receiver.peer_path;
            chunk.from_path = {uri_toward(receiver)};
            chunk.fields.set(im::msrp::MessageId{message_id});
            chunk.fields.set(ByteRange{offset + 1, offset + length, total});
            chunk.body = im::msrp::Body{std::string(kCpimType), body.substr(offset, length)};
            offset += length;
            chunk.continuation = offset < total ? Continuation::more : Continuation::complete;
            deliver(receiver, std::move(chunk), {}, out);
        } while (offset < total);
    }
    return receivers;
}

void MsrpSwitch::deliver(Participant &target, Request request, std::string_view origin, std::vector<Outgoing> &out)
{
    if (request.to_path.empty()) request.to_path = target.peer_path;
    deliver(target.connection, std::move(request), Origin{std::string(origin), 0, {}}, out);
}

void MsrpSwitch::deliver(ConnectionId target, Request request, Origin origin, std::vector<Outgoing> &out)
{
    // Transaction ids are per hop: a fresh one cannot collide with another
    // sender's on the target connection, and must not occur in the body (7.1).
    request.transaction_id =
        im::msrp::make_transaction_id(random_, request.body ? std::string_view(request.body->bytes) : "");
    bool remember = request.kind() == MethodKind::send && im::msrp::failure_report(request) != im::msrp::FailureReport::no;
    if (remember) {
        PendingOnConnection &pending = pending_[target];
        // order may also hold ids answered out of order (see on_response);
        // they are bounded too, at twice the limit.
        while (!pending.order.empty() && (pending.by_transaction.size() >= limits_.max_pending_per_connection ||
                                          pending.order.size() >= 2 * limits_.max_pending_per_connection)) {
            pending.by_transaction.erase(pending.order.front());
            pending.order.pop_front();
            drop_answered_front(pending);
        }
        pending.order.push_back(request.transaction_id);
    }
    std::uint64_t size = body_size(request);
    Outgoing frame(target, {});
    if (size >= kSeparateBodyBytes) {
        frame.body = std::move(request.body->bytes);  // the head needs only its Content-Type
        im::msrp::append_head(frame.bytes, request);
        im::msrp::append_tail(frame.tail, request);
    } else {
        frame.bytes = im::msrp::serialize(request);
    }
    out.push_back(std::move(frame));
    ++counters_.messages_out;
    if (remember) {
        // What a failure REPORT needs, moved rather than copied: the request is sent.
        request.body.reset();
        std::string transaction_id = request.transaction_id;
        pending_[target].by_transaction.emplace(std::move(transaction_id),
                                                PendingSend{std::move(origin), std::move(request), size, now_});
    }
}

void MsrpSwitch::drop_answered_front(PendingOnConnection &pending)
{
    while (pending.answered_out_of_order > 0 && !pending.order.empty() &&
           !pending.by_transaction.contains(pending.order.front())) {
        pending.order.pop_front();
        --pending.answered_out_of_order;
    }
}

void MsrpSwitch::flush_held(Participant &participant, std::vector<Outgoing> &out)
{
    auto held = std::exchange(participant.held, {});
    participant.held_bytes = 0;
    for (Request &request : held) {
        // The origin is not kept for held requests: their failures go unreported.
        request.from_path.front() = uri_toward(participant);
        deliver(participant, std::move(request), {}, out);
    }
}

void MsrpSwitch::on_response(ConnectionId from, const Response &response, std::vector<Outgoing> &out)
{
    auto connection = pending_.find(from);
    if (connection == pending_.end()) return;
    auto found = connection->second.by_transaction.find(response.transaction_id);
    if (found == connection->second.by_transaction.end()) return;
    PendingSend pending = std::move(found->second);
    connection->second.by_transaction.erase(found);
    // Responses come in the order of the requests, so the answered id is
    // normally at the front: dropping it there costs O(1), where erasing it
    // from the middle cost a scan of every SEND in flight per response.
    PendingOnConnection &on_connection = connection->second;
    if (!on_connection.order.empty() && on_connection.order.front() == response.transaction_id)
        on_connection.order.pop_front();
    else
        ++on_connection.answered_out_of_order;
    drop_answered_front(on_connection);
    if (response.status_code == im::msrp::kStatusOk) return;
    ++counters_.downstream_failures;
    report_failure(pending, response.status_code, response.comment, out);
}

void MsrpSwitch::report_failure(const PendingSend &pending, int status, std::string comment,
                                std::vector<Outgoing> &out)
{
    ConnectionId to = pending.origin.connection;
    im::msrp::Uri ours = pending.origin.our_uri;
    if (!pending.origin.participant.empty()) {
        auto leg = sessions_.find_leg(pending.origin.participant);
        if (!leg || !leg->participant->bound()) return;
        to = leg->participant->connection;
        ours = uri_toward(*leg->participant);
    }
    if (to == 0) return;
    const Request &sent = pending.request;
    // RFC 4976 7.3: the relay that got the failure reports it to the sender,
    // along the From-Path it received (ours, for the next hop, comes first).
    ByteRange range;
    if (const ByteRange *announced = sent.fields.find<ByteRange>()) range = *announced;
    range.end = range.start + pending.body_bytes - 1;
    if (range.total && *range.end > *range.total) range.total.reset();
    Request report = im::msrp::make_report(sent, im::msrp::make_transaction_id(random_), status,
                                           comment.empty() ? std::nullopt : std::optional(std::move(comment)), range);
    report.to_path.assign(sent.from_path.begin() + 1, sent.from_path.end());
    report.from_path = {std::move(ours)};
    if (report.to_path.empty()) return;
    out.push_back({to, im::msrp::serialize(report)});
    ++counters_.messages_out;
}

void MsrpSwitch::reply(ConnectionId to, const Request &request, int status, std::vector<Outgoing> &out)
{
    if (!im::msrp::response_expected(request, status)) return;
    Outgoing response(to, {});
    im::msrp::append_response(response.bytes, request, status);
    out.push_back(std::move(response));
}

im::msrp::Uri MsrpSwitch::uri_toward(const Participant &participant) const
{
    return participant.bound() ? participant.bound_uri : address_.uri_for(participant.id);
}

std::string MsrpSwitch::date_time_now() const
{
    std::time_t seconds = std::chrono::system_clock::to_time_t(wall_clock_());
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char text[32];
    std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
    return text;
}

}  // namespace im::msrp_relay

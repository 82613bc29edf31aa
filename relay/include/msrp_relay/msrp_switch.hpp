#pragma once
// What the relay does with each MSRP frame it receives: the session logic of
// the two-party relay (RFC 4976 path handling) and the conference switch
// (fan-out wrapped in message/cpim). Frames in, bytes for connections out; no
// sockets, so every rule is unit-tested.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "im/msrp/ids.hpp"
#include "im/msrp/message.hpp"
#include "im/msrp/message_store.hpp"
#include "msrp_relay/relay_address.hpp"
#include "msrp_relay/relay_auth.hpp"
#include "msrp_relay/session_registry.hpp"

namespace im::msrp_relay {

struct SwitchLimits {
    // Relay session: bytes held for a side that has not connected yet;
    // past this, SENDs for it are refused with 413.
    std::size_t max_held_bytes = 1024 * 1024;
    // Conference: messages go out in chunks of this size.
    std::size_t conference_chunk_bytes = 64 * 1024;
    // Forwarded SENDs awaiting the next hop's response, per connection; the
    // oldest is forgotten beyond this (its failure could then not be reported).
    std::size_t max_pending_per_connection = 4096;
    // RFC 4975 7.1 / RFC 4976: a forwarded SEND without a response this long
    // is failed with 408, reported to its sender.
    std::chrono::milliseconds transaction_timeout = std::chrono::seconds(30);
};

struct SwitchCounters {
    std::uint64_t messages_in = 0;          // requests received (each chunk counts)
    std::uint64_t messages_out = 0;         // requests sent (forwarded, fanned out, REPORTs)
    std::uint64_t no_session = 0;           // 481: unknown or deleted session
    std::uint64_t session_in_use = 0;       // 506: participant bound to another connection
    std::uint64_t unknown_method = 0;       // 501
    std::uint64_t unsupported_media = 0;    // 415: no other participant accepts the type
    std::uint64_t refused = 0;              // 413: held-bytes or reassembly limits
    std::uint64_t downstream_failures = 0;  // non-200 responses from the next hop
    std::uint64_t transaction_timeouts = 0; // forwarded SENDs never answered (408)
    std::uint64_t stored = 0;               // messages stored (endpoint sessions, recorders)
    std::uint64_t store_failures = 0;       // the store refused a message (answered 500)
    std::uint64_t forbidden = 0;            // 403: a Use-Path used from the client side by another connection
    std::uint64_t unreachable = 0;          // forwarded SENDs whose next hop could not be connected (408)
};

// The connection id of this relay's own next hops (RFC 4976 path to one of
// its own URIs): what the switch sends there it receives again at once,
// without a socket.
inline constexpr ConnectionId kLoopbackConnection = ~ConnectionId{0};

// Answer to the last chunk of a message the store could not take: the
// sender learns that it was not kept (RFC 4975 leaves 5xx to the node).
inline constexpr int kStatusStoreFailed = 500;

// Bytes to write on one connection, in order: bytes, body, tail. A
// forwarded request with a large body keeps the body it arrived with in
// body (moved, never copied) between its head in bytes and its end-line in
// tail, for a gathered write; every other frame is whole in bytes.
struct Outgoing {
    Outgoing() = default;
    Outgoing(ConnectionId connection_, std::string bytes_) : connection(connection_), bytes(std::move(bytes_)) {}

    ConnectionId connection = 0;
    std::string bytes;
    std::string body;
    std::string tail;

    std::size_t size() const { return bytes.size() + body.size() + tail.size(); }
    std::string wire() const { return bytes + body + tail; }
};

using WallClock = std::function<std::chrono::system_clock::time_point()>;

class MsrpSwitch {
public:
    MsrpSwitch(SessionRegistry &sessions, const RelayAddress &address, im::msrp::RandomSource random,
               WallClock wall_clock, SwitchLimits limits = {});

    std::vector<Outgoing> on_frame(ConnectionId from, im::msrp::Frame frame, SteadyClock::time_point now);
    // The same, appending to out: the dispatcher reuses one vector for all
    // frames instead of allocating one per frame.
    void on_frame(ConnectionId from, im::msrp::Frame frame, SteadyClock::time_point now, std::vector<Outgoing> &out);
    // The peers bound to it may connect again; their pending transactions are forgotten.
    void on_connection_closed(ConnectionId connection);
    // Fails the forwarded SENDs unanswered for transaction_timeout: 408
    // failure REPORTs for their senders. Call it about once a second.
    std::vector<Outgoing> expire_transactions(SteadyClock::time_point now);

    // A connection carrying a session stays open however quiet it is: chats
    // can be silent for long; the session's own idle timeout ends them.
    bool carries_sessions(ConnectionId connection) const
    {
        return sessions_.binds(connection) || (auth_ != nullptr && auth_->binds(connection));
    }

    // Where endpoint sessions and recorders store messages; nullptr: none
    // (the control commands then refuse to create them). Not owned.
    void set_store(im::msrp::MessageStore *store) { store_ = store; }
    im::msrp::MessageStore *store() const { return store_; }
    // Sends stored messages to an endpoint session's peer, one SEND each in
    // the appendix J encapsulation, in 64 KB chunks; held until it binds.
    std::vector<Outgoing> send_stored(Session &session, const std::vector<im::msrp::StoredMessage> &messages,
                                      SteadyClock::time_point now);

    const SwitchCounters &counters() const { return counters_; }
    const RelayAddress &address() const { return address_; }

    // RFC 4976 AUTH and the forwarding for authenticated clients; nullptr
    // (the default): AUTH is answered 403. Not owned. log gets a line for
    // each AUTH decision worth an operator's eye (grants, refusals).
    using AuthLog = std::function<void(const std::string &line)>;
    void set_auth(RelayAuth *auth, AuthLog log = {})
    {
        auth_ = auth;
        auth_log_ = std::move(log);
    }
    RelayAuth *auth() const { return auth_; }
    // Opens (or finds, per the reuse rules) an outbound connection to the
    // authority of a next-hop URI; 0 when none can be had. Unset: every
    // next hop outside this relay is unreachable.
    using OutboundOpener = std::function<ConnectionId(const im::msrp::Uri &next_hop)>;
    void set_outbound(OutboundOpener opener) { outbound_ = std::move(opener); }
    // Marks a connection as TLS (msrps): AUTH is taken only on those.
    void set_secure(ConnectionId connection) { secure_.insert(connection); }
    // The connection could not be opened: its pending SENDs are failed with
    // status, in failure REPORTs to their senders.
    std::vector<Outgoing> fail_pending(ConnectionId connection, int status, std::string comment);

private:
    // Where a failure REPORT about a forwarded SEND goes: the participant it
    // came from (its connection may change), or for a client's Use-Path the
    // connection it came on and our URI as that hop knows it.
    struct Origin {
        std::string participant;
        ConnectionId connection = 0;
        im::msrp::Uri our_uri;
    };
    struct PendingSend {
        Origin origin;             // empty if the relay made the SEND
        im::msrp::Request request;  // without its body: enough to build a failure REPORT
        std::uint64_t body_bytes = 0;
        SteadyClock::time_point sent_at;
    };
    struct PendingOnConnection {
        // Hashed: one insert, one lookup and one erase per forwarded SEND;
        // the order lives in order below.
        std::unordered_map<std::string, PendingSend> by_transaction;
        // Oldest first, for the bound and the timeouts. The front is always
        // still pending; ids answered out of order stay until they reach it.
        std::deque<std::string> order;
        // How many ids in order were answered out of order. While none
        // were (the usual case: responses follow the requests), popping the
        // answered front leaves a pending front with no lookup to check it.
        std::size_t answered_out_of_order = 0;
    };
    static void drop_answered_front(PendingOnConnection &pending);

    void on_frame_here(ConnectionId from, im::msrp::Frame frame, SteadyClock::time_point now,
                       std::vector<Outgoing> &out);
    // Frames for kLoopbackConnection among out[first..] are received again.
    void route_loopback(std::size_t first, SteadyClock::time_point now, std::vector<Outgoing> &out);
    void on_request(ConnectionId from, im::msrp::Request request, SteadyClock::time_point now,
                    std::vector<Outgoing> &out);
    void on_auth(ConnectionId from, const im::msrp::Request &request, SteadyClock::time_point now,
                 std::vector<Outgoing> &out);
    // A request whose To-Path starts with the Use-Path of grant (RFC 4976 7).
    void grant_request(const AuthGrant &grant, ConnectionId from, im::msrp::Request request,
                       std::vector<Outgoing> &out);
    void on_response(ConnectionId from, const im::msrp::Response &response, std::vector<Outgoing> &out);
    void relay_request(Session &session, Participant &sender, ConnectionId from, im::msrp::Request request,
                       std::vector<Outgoing> &out);
    void conference_request(Session &session, Participant &sender, ConnectionId from, im::msrp::Request request,
                            std::vector<Outgoing> &out);
    // Endpoint session: every complete message of the peer is stored before
    // its last chunk is answered 200.
    void endpoint_request(Session &session, Participant &peer, ConnectionId from, im::msrp::Request request,
                          std::vector<Outgoing> &out);
    struct Reassembled {
        int status = 200;  // what to answer when not 200
        std::optional<im::msrp::CompleteMessage> message;
        im::msrp::Request first;  // the message's first chunk seen, without body
    };
    // Adds a chunk to sender.recording, keeping the first chunk's headers.
    Reassembled reassemble_for_store(Participant &sender, im::msrp::Request chunk);
    im::msrp::StoredMessage stored_message(const Session &session, const im::msrp::Request &first,
                                           im::msrp::CompleteMessage message) const;
    // Stores a conference message once per recorder; false when one failed.
    bool record(const Session &session, const Participant &sender, const im::msrp::Request &first,
                const im::msrp::CompleteMessage &message);
    // A non-CPIM chunk goes on at once to every receiver chosen at the
    // message's first chunk, behind the CPIM header in the first.
    void switch_chunk(Session &session, Participant &sender, ConnectionId from, im::msrp::Request request,
                      std::vector<Outgoing> &out);
    // Returns how many participants received the message.
    std::size_t fan_out(Session &session, const Participant &sender, const im::msrp::CompleteMessage &message,
                        std::vector<Outgoing> &out);
    // Sends request to the bound participant target, remembering SENDs
    // under a fresh transaction id so a failure can be reported to origin.
    void deliver(Participant &target, im::msrp::Request request, std::string_view origin, std::vector<Outgoing> &out);
    void deliver(ConnectionId target, im::msrp::Request request, Origin origin, std::vector<Outgoing> &out);
    void flush_held(Participant &participant, std::vector<Outgoing> &out);
    void reply(ConnectionId to, const im::msrp::Request &request, int status, std::vector<Outgoing> &out);
    void report_failure(const PendingSend &pending, int status, std::string comment, std::vector<Outgoing> &out);
    std::string date_time_now() const;
    // The relay's URI as this participant knows it: the one it bound with
    // (msrp: or msrps:), before binding the plain one.
    im::msrp::Uri uri_toward(const Participant &participant) const;

    SessionRegistry &sessions_;
    // Owned by the caller: the port is known only once the listener is bound.
    const RelayAddress &address_;
    im::msrp::RandomSource random_;
    WallClock wall_clock_;
    SwitchLimits limits_;
    SwitchCounters counters_;
    im::msrp::MessageStore *store_ = nullptr;
    std::map<ConnectionId, PendingOnConnection> pending_;
    RelayAuth *auth_ = nullptr;
    AuthLog auth_log_;
    OutboundOpener outbound_;
    std::unordered_set<ConnectionId> secure_;
    SteadyClock::time_point now_;  // of the frame being handled
};

}  // namespace im::msrp_relay

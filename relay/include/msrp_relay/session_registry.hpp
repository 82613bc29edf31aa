#pragma once
// The relay's sessions and their participants, as plain values: created and
// deleted over the control socket, bound to connections by the first MSRP
// request that names them. No I/O, so it is tested without sockets.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/ids.hpp"
#include "im/msrp/reassembler.hpp"
#include "im/msrp/uri.hpp"

namespace im::msrp_relay {

using SteadyClock = std::chrono::steady_clock;
// Identifies one MSRP connection for the switch; 0 means none.
using ConnectionId = std::uint64_t;

// What a session does with the requests of its participants: relay (two
// sides, RFC 4976), conference (switch), endpoint (the relay terminates the
// session: it stores what its one peer sends and sends it stored messages).
// A new kind adds a value here and a branch in MsrpSwitch::on_request.
enum class SessionKind { relay, conference, endpoint };
std::optional<SessionKind> parse_session_kind(std::string_view name);
std::string_view session_kind_name(SessionKind kind);

// A conference message is reassembled, then copied to every receiver, so its
// size times the fan-out is what one message can queue: 1 MB x 99 at most.
inline constexpr im::msrp::ReassemblyLimits kConferenceReassemblyLimits{1024 * 1024, 4 * 1024 * 1024, 16};

// Messages stored whole (endpoint sessions, conference recorders) are
// reassembled first: 16 MB per message, 64 MB and 16 unfinished messages
// per sender.
inline constexpr im::msrp::ReassemblyLimits kStoredReassemblyLimits{16 * 1024 * 1024, 64 * 1024 * 1024, 16};

// Shown to other conference participants instead of a private participant's identity.
inline constexpr std::string_view kAnonymousIdentity = "Anonymous <sip:anonymous@anonymous.invalid>";

// A conference message being switched chunk by chunk: who gets a copy,
// under which Message-ID, and how long the CPIM header put in front of the
// payload is (it shifts every byte range).
struct SwitchedMessage {
    struct Copy {
        std::string receiver;     // participant id
        std::string message_id;   // of the copy
        std::string prefix;       // CPIM header block, sent with the first chunk
    };
    std::vector<Copy> copies;
};
// Unfinished switched messages per sender; the oldest is forgotten beyond this.
inline constexpr std::size_t kMaxSwitchedMessages = 16;

// Whether a media type (parameters ignored) is in accept_types, where "*"
// takes anything and "type/*" every subtype (RFC 4975 8.6 accept-types).
bool media_type_accepted(const std::vector<std::string> &accept_types, std::string_view content_type);

// One side of a session: the relay URI one peer sends to (its session-id is
// the participant id) and what the relay knows of that peer.
struct Participant {
    std::string id;                      // unguessable: knowing it is the right to send into the session
    std::string identity;                // conference: SIP identity shown to the others
    bool anonymous = false;              // privacy asked: show kAnonymousIdentity instead
    // A conference recorder: never bound, never a receiver; every message
    // switched in the conference is stored under store_owner (its identity).
    bool recorder = false;
    std::vector<std::string> accept_types = {"*"};  // media types it accepts; "*" and "type/*" allowed
    ConnectionId connection = 0;         // the connection its first request came on, 0 until then
    im::msrp::Path peer_path;            // From-Path of that request: how requests reach the peer
    im::msrp::Uri bound_uri;             // our URI as that request wrote it (msrp: or msrps:)
    im::msrp::Reassembler incoming{kConferenceReassemblyLimits};  // conference: its CPIM messages, reassembled
    std::map<std::string, SwitchedMessage> switching;  // conference: its other messages, by Message-ID
    // Endpoint peer, or conference sender while a recorder listens: its
    // messages being stored, reassembled, and the first chunk of each
    // (without body) for the headers stored with it.
    im::msrp::Reassembler recording{kStoredReassemblyLimits};
    std::map<std::string, im::msrp::Request> first_chunks;
    // Vectors, not deques: an empty std::deque already holds a 512-byte node,
    // and these stay empty in most sessions (kept small by the bounds).
    std::vector<std::string> switching_order;          // their Message-IDs, oldest first (at most kMaxSwitchedMessages)
    // Relay session: requests for this side that arrived before the peer
    // connected, delivered when it binds; bounded by SwitchLimits::max_held_bytes.
    std::vector<im::msrp::Request> held;
    std::size_t held_bytes = 0;

    bool bound() const { return connection != 0; }
    std::string_view shown_identity() const { return anonymous ? kAnonymousIdentity : identity; }
    bool accepts(std::string_view content_type) const;
};

struct Session {
    std::string id;
    SessionKind kind = SessionKind::relay;
    std::vector<Participant> participants;  // in join order; a relay session has exactly two, an endpoint one
    SteadyClock::time_point last_activity;
    std::string owner;              // endpoint: the store key its messages are stored under
    std::string peer_identity;      // endpoint: the far end's identity, stored as the sender (may be empty)
    std::uint64_t stored = 0;       // messages stored (endpoint, recorders)
    std::uint64_t pushed = 0;       // stored messages sent (SESSION_SEND_STORED)

    Participant *find(std::string_view participant_id);
    std::size_t bound_count() const;
};

struct RegistryLimits {
    std::size_t max_sessions = 10000;
    std::size_t max_participants = 100;  // per conference; keeps SESSION_SHOW within one control line
};

enum class RegistryError { no_session, no_participant, wrong_kind, too_many_sessions, too_many_participants };
std::string_view describe(RegistryError error);

class SessionRegistry {
public:
    SessionRegistry(im::msrp::RandomSource random, RegistryLimits limits = {});

    // A relay session comes with its two participants; a conference starts empty.
    const Session *create(SessionKind kind, SteadyClock::time_point now, RegistryError &error);
    const Participant *add_participant(std::string_view session_id, std::string identity,
                                       std::vector<std::string> accept_types, bool anonymous,
                                       RegistryError &error);
    // A conference recorder: a participant that never binds or receives.
    const Participant *add_recorder(std::string_view session_id, std::string owner, RegistryError &error);
    std::optional<RegistryError> remove_participant(std::string_view session_id, std::string_view participant_id);
    bool remove(std::string_view session_id);

    Session *find(std::string_view session_id);
    struct Leg {
        Session *session = nullptr;
        Participant *participant = nullptr;
    };
    // The participant whose relay URI has this session-id, with its session.
    std::optional<Leg> find_leg(std::string_view participant_id);

    // Forgets the connection in every participant bound to it (the peer may
    // connect again); returns how many were bound.
    std::size_t unbind(ConnectionId connection);
    // Whether some participant is bound to the connection.
    bool binds(ConnectionId connection) const;
    // Deletes sessions silent for at least idle; returns their ids.
    std::vector<std::string> expire(SteadyClock::time_point now, SteadyClock::duration idle);

    std::size_t size() const { return sessions_.size(); }
    const std::map<std::string, Session, std::less<>> &sessions() const { return sessions_; }

private:
    std::string fresh_id(std::size_t length);

    im::msrp::RandomSource random_;
    RegistryLimits limits_;
    std::map<std::string, Session, std::less<>> sessions_;
    std::map<std::string, std::string, std::less<>> session_of_participant_;
};

}  // namespace im::msrp_relay

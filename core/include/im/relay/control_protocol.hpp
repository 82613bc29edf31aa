#pragma once
// The relay control protocol (docs/relay-control-protocol.md) as pure
// functions: one request line in, one reply line out, no I/O. The relay and
// the Kamailio modules share this codec so both ends agree byte for byte.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace im::relay {

// Bumped only by incompatible changes; new commands keep version 1 working.
inline constexpr int kControlProtocolVersion = 1;
// Longest request or reply line, not counting the terminating LF.
inline constexpr std::size_t kMaxControlLineBytes = 8192;

// Error codes of ERR replies, borrowed from the familiar HTTP/SIP classes.
inline constexpr int kErrMalformed = 400;
inline constexpr int kErrNotFound = 404;      // no such session or participant
inline constexpr int kErrConflict = 409;      // the session's kind does not allow it
inline constexpr int kErrUnknownCommand = 501;
inline constexpr int kErrUnavailable = 503;   // a limit of the relay is reached
inline constexpr int kErrVersionNotSupported = 505;

// A value or the reason there is none; the data path reports, it never throws.
template <typename T, typename E>
class Outcome {
public:
    static Outcome success(T value) { return Outcome(std::in_place_index<0>, std::move(value)); }
    static Outcome failure(E error) { return Outcome(std::in_place_index<1>, std::move(error)); }

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    // Only valid when ok().
    const T &value() const { return std::get<0>(state_); }
    T &value() { return std::get<0>(state_); }
    // Only valid when !ok().
    const E &error() const { return std::get<1>(state_); }

private:
    template <std::size_t I, typename V>
    Outcome(std::in_place_index_t<I> index, V &&v) : state_(index, std::forward<V>(v))
    {
    }

    std::variant<T, E> state_;
};

// Why a line could not be parsed; becomes "ERR 400 <text>" on the server.
struct ParseError {
    std::string text;
};

template <typename T>
using ParseOutcome = Outcome<T, ParseError>;

// "<COMMAND> [arg...]": arguments travel percent-encoded, held here decoded.
struct ControlRequest {
    std::string command;
    std::vector<std::string> args;

    bool operator==(const ControlRequest &) const = default;
};

struct ControlField {
    std::string key;
    std::string value;  // decoded

    bool operator==(const ControlField &) const = default;
};

// "OK [key=value ...]" or "ERR <code> <text>".
struct ControlReply {
    bool ok = true;
    int error_code = 0;       // ERR only: 100..999
    std::string error_text;   // ERR only: free text, may contain spaces
    std::vector<ControlField> fields;  // OK only, in wire order

    static ControlReply success(std::vector<ControlField> fields = {});
    static ControlReply error(int code, std::string text);

    // Value of the first field named key, or nullptr.
    const std::string *find(std::string_view key) const;

    bool operator==(const ControlReply &) const = default;
};

// Counters the relay reports through STATUS.
struct RelayStatus {
    std::int64_t uptime_seconds = 0;
    std::uint64_t connections = 0;  // MSRP connections open now
    std::uint64_t sessions = 0;     // MSRP sessions bound now
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::string listen;             // "addr:port" the MSRP acceptor is bound to
    // Added after the first release: read as 0 when an older relay omits them.
    std::uint64_t messages_in = 0;   // MSRP requests received (each chunk counts)
    std::uint64_t messages_out = 0;  // MSRP requests sent
    // Named event counters with dotted keys, e.g. {"errors.malformed", 2}
    // or {"timeouts.sessions", 1}; sent as "errors.malformed=2".
    std::vector<std::pair<std::string, std::uint64_t>> counters;

    bool operator==(const RelayStatus &) const = default;
};

// Percent-encoding of arguments and values: space, '=', '%' and every control
// byte become %XX; decoding accepts %XX in either case for any byte.
std::string percent_encode(std::string_view raw);
ParseOutcome<std::string> percent_decode(std::string_view encoded);

// Lines are given without their LF; a single trailing LF is tolerated.
ParseOutcome<ControlRequest> parse_request(std::string_view line);
ParseOutcome<ControlReply> parse_reply(std::string_view line);
// Serialized lines end with LF. Keys must be non-empty [A-Za-z0-9_.-];
// control bytes in ERR text are replaced by spaces so the reply stays one line.
std::string serialize_request(const ControlRequest &request);
std::string serialize_reply(const ControlReply &reply);

// The STATUS reply and its typed reading, for the relay and its clients.
ControlReply status_reply(const RelayStatus &status);
ParseOutcome<RelayStatus> read_status(const ControlReply &reply);

// SESSION_* requests and their typed replies, so the Kamailio modules build
// and read them the same way (see docs/relay-control-protocol.md).
ControlRequest session_create_request(std::string_view kind);  // "relay" or "conference"
ControlRequest add_participant_request(std::string_view session, std::string_view identity,
                                       std::string_view accept_types = "*", bool anonymous = false);
ControlRequest remove_participant_request(std::string_view session, std::string_view participant);
ControlRequest session_delete_request(std::string_view session);
// SESSION_LIST, the page after `after` (the first page when empty).
ControlRequest session_list_request(std::string_view after = {});

// What SESSION_CREATE returns. For a relay session, side A sends to path_a
// and side B to path_b (the *_tls paths are empty unless the relay has TLS).
struct CreatedSession {
    std::string session;
    std::string kind;
    std::string path_a, path_b, participant_a, participant_b;
    std::string path_a_tls, path_b_tls;

    bool operator==(const CreatedSession &) const = default;
};
ParseOutcome<CreatedSession> read_created_session(const ControlReply &reply);

// What SESSION_ADD_PARTICIPANT returns: the participant's relay URI for SDP a=path.
struct AddedParticipant {
    std::string session;
    std::string participant;
    std::string path;
    std::string path_tls;  // empty unless the relay has TLS

    bool operator==(const AddedParticipant &) const = default;
};
ParseOutcome<AddedParticipant> read_added_participant(const ControlReply &reply);

// One page of SESSION_LIST: ids in ascending order, `next` when more follow.
struct SessionListPage {
    std::vector<std::string> sessions;
    std::optional<std::string> next;

    bool operator==(const SessionListPage &) const = default;
};
ParseOutcome<SessionListPage> read_session_list(const ControlReply &reply);

// The server side of every command: what the relay answers to one line.
// server_version is the relay's own version ("0.1.0"); status is a snapshot.
ControlReply answer_request(const ControlRequest &request, std::string_view server_version,
                            const RelayStatus &status);
ControlReply answer_line(std::string_view line, std::string_view server_version,
                         const RelayStatus &status);

}  // namespace im::relay

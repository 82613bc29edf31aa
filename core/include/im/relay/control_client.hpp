#pragma once
// Blocking client of the relay control socket. Plain POSIX, no Asio and no
// threads: it runs inside Kamailio worker processes. Each call opens its own
// connection, so a relay restart between calls needs no reconnect logic.
#include <chrono>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "im/relay/control_protocol.hpp"

namespace im::relay {

inline constexpr std::string_view kDefaultControlSocketPath = "/run/im-server/msrp-relay.sock";
inline constexpr std::chrono::milliseconds kDefaultControlTimeout{1000};

enum class ControlCallErrorKind {
    NotRunning,  // no socket file, or nobody listening on it
    Timeout,     // connect + request + reply exceeded the timeout
    Protocol,    // the relay's answer was not a valid reply line
    System,      // anything else the OS refused (permissions, path too long, ...)
};

struct ControlCallError {
    ControlCallErrorKind kind;
    std::string text;  // readable, names the socket path
};

template <typename T>
using ControlOutcome = Outcome<T, ControlCallError>;

class ControlClient {
public:
    explicit ControlClient(std::string socket_path = std::string(kDefaultControlSocketPath),
                           std::chrono::milliseconds timeout = kDefaultControlTimeout);

    // Sends one request and returns the relay's reply. An ERR reply is a
    // successful call: the transport worked and the relay answered.
    ControlOutcome<ControlReply> call(const ControlRequest &request) const;

    // STATUS, read into its typed form; an ERR reply becomes a Protocol error.
    ControlOutcome<RelayStatus> status() const;

    // Every session id the relay has now, in ascending order (SESSION_LIST,
    // page by page); an ERR reply or a malformed page is a Protocol error.
    ControlOutcome<std::vector<std::string>> sessions() const;

    const std::string &socket_path() const { return socket_path_; }
    std::chrono::milliseconds timeout() const { return timeout_; }

private:
    std::string socket_path_;
    std::chrono::milliseconds timeout_;
};

// The OK reply to `request`; throws Error (made from a readable text) when
// the call fails or the relay answers ERR. For the modules' drivers of the
// relay, which turn both into one failure of their own.
template <typename Error>
ControlReply require_ok(const ControlClient &client, const ControlRequest &request)
{
    auto reply = client.call(request);
    if (!reply) throw Error("MSRP relay: " + reply.error().text);
    if (!reply.value().ok)
        throw Error("MSRP relay refused " + request.command + ": " + std::to_string(reply.value().error_code) + " " +
                    reply.value().error_text);
    return std::move(reply.value());
}

}  // namespace im::relay

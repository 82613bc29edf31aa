#pragma once
// The control interface: a Unix stream socket speaking the line protocol of
// docs/relay-control-protocol.md.
#include <chrono>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include "connection_set.hpp"
#include "control_session.hpp"
#include "control_socket_file.hpp"
#include "msrp_relay/logger.hpp"

namespace im::msrp_relay {

class ControlServer {
public:
    ControlServer(asio::io_context &io, ControlAnswer answer, std::chrono::milliseconds idle_limit, Logger &log);

    // Prepares the path, binds, sets permissions and starts accepting.
    std::optional<std::string> open(const std::string &path);
    // Closes the acceptor and every session and removes the socket file.
    void close();

    const std::string &path() const { return socket_file_.path(); }

private:
    void accept_next();

    asio::local::stream_protocol::acceptor acceptor_;
    asio::steady_timer retry_timer_;  // paces accept retries when out of file descriptors
    ControlSocketFile socket_file_;
    ConnectionSet<ControlSession> sessions_;
    ControlAnswer answer_;
    std::chrono::milliseconds idle_limit_;
    Logger &log_;
};

}  // namespace im::msrp_relay

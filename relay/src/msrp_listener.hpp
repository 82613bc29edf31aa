#pragma once
// One MSRP acceptor, plain TCP or TLS; accepted connections go to the dispatcher.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>

#include "msrp_dispatcher.hpp"
#include "msrp_relay/logger.hpp"
#include "msrp_relay/relay_config.hpp"

namespace im::msrp_relay {

class MsrpListener {
public:
    // With tls, every accepted connection starts with a TLS handshake (msrps).
    MsrpListener(asio::io_context &io, MsrpDispatcher &dispatcher, Logger &log, asio::ssl::context *tls = nullptr);

    // Binds, listens and starts accepting; returns the problem, if any.
    std::optional<std::string> open(const ListenAddress &address);
    // Closes the acceptor and every open connection.
    void close();

    const std::string &local_address() const { return local_address_; }  // "127.0.0.1:41234"
    std::uint16_t local_port() const { return local_port_; }
    std::size_t open_connections() const { return dispatcher_.open_connections(); }

private:
    void accept_next();

    asio::ip::tcp::acceptor acceptor_;
    asio::steady_timer retry_timer_;  // paces accept retries when out of file descriptors
    MsrpDispatcher &dispatcher_;
    Logger &log_;
    asio::ssl::context *tls_;
    std::string local_address_;
    std::uint16_t local_port_ = 0;
};

}  // namespace im::msrp_relay

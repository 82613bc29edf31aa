#pragma once
// The relay process minus main(): the MSRP acceptor and the control server
// on one Asio io_context, run on the caller's thread. Asio stays out of this
// header so tests and main() need not compile it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "msrp_relay/logger.hpp"
#include "msrp_relay/relay_config.hpp"

namespace im::msrp_relay {

class RelayServer {
public:
    RelayServer(RelayConfig config, Logger &log);
    ~RelayServer();
    RelayServer(const RelayServer &) = delete;
    RelayServer &operator=(const RelayServer &) = delete;

    // Binds the MSRP port and the control socket; returns the problem, if any.
    std::optional<std::string> open();
    // SIGINT and SIGTERM call stop(); for the real process, not for tests.
    void stop_on_termination_signals();
    // Serves until stop(); then every socket is closed and the control socket file removed.
    void run();
    // Safe from any thread, before or during run().
    void stop();

    // Valid after a successful open().
    std::uint16_t msrp_port() const;
    std::string msrp_address() const;
    const std::string &control_socket_path() const;

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace im::msrp_relay

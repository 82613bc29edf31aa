#pragma once
// One accepted MSRP TCP connection. For now it only reads, counts and
// discards bytes; MSRP framing (RFC 4975) comes with the relay issue.
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <asio/ip/tcp.hpp>

#include "connection_set.hpp"
#include "idle_watch.hpp"
#include "msrp_relay/logger.hpp"
#include "traffic_counters.hpp"

namespace im::msrp_relay {

class MsrpConnection : public std::enable_shared_from_this<MsrpConnection> {
public:
    MsrpConnection(asio::ip::tcp::socket socket, ConnectionSet<MsrpConnection> &peers, TrafficCounters &traffic,
                   std::chrono::milliseconds idle_limit, Logger &log);

    void start();
    // Idempotent; pending reads and the idle timer complete as cancelled.
    void close() { close_because("shutdown"); }

private:
    void read_more();
    void close_because(std::string_view reason);

    asio::ip::tcp::socket socket_;
    ConnectionSet<MsrpConnection> &peers_;
    TrafficCounters &traffic_;
    IdleWatch idle_;
    Logger &log_;
    std::string peer_;
    std::uint64_t id_ = 0;
    std::uint64_t bytes_in_ = 0;
    bool closed_ = false;
    std::array<char, 16384> buffer_{};
};

}  // namespace im::msrp_relay

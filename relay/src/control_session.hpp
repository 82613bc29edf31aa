#pragma once
// One client of the control socket: reads request lines, answers each in
// order, and closes on EOF, idle timeout, an oversize line or shutdown.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <asio/local/stream_protocol.hpp>

#include "connection_set.hpp"
#include "idle_watch.hpp"
#include "msrp_relay/logger.hpp"

namespace im::msrp_relay {

// Turns one request line (LF included) into one serialized reply line.
using ControlAnswer = std::function<std::string(std::string_view line)>;

class ControlSession : public std::enable_shared_from_this<ControlSession> {
public:
    ControlSession(asio::local::stream_protocol::socket socket, ConnectionSet<ControlSession> &sessions,
                   const ControlAnswer &answer, std::chrono::milliseconds idle_limit, Logger &log);

    void start();
    // Idempotent; a reply still being written is dropped.
    void close();

private:
    void read_line();
    void write_reply(std::string reply, bool close_after);

    asio::local::stream_protocol::socket socket_;
    ConnectionSet<ControlSession> &sessions_;
    const ControlAnswer &answer_;
    IdleWatch idle_;
    Logger &log_;
    std::string input_;
    std::string output_;
    std::uint64_t id_ = 0;
    bool closed_ = false;
};

}  // namespace im::msrp_relay

#pragma once
// One accepted MSRP TCP connection: frames in through the parser, bytes out
// through a write queue. It carries any number of sessions; what the frames
// mean is the dispatcher's business.
//
// Back-pressure: when a frame's delivery leaves a receiver with more than
// the write-queue limit unsent, the sender stops reading (so TCP flow control
// slows the sending peer) until the receiver has drained to half the limit.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>


#include <asio/ip/tcp.hpp>

#include "idle_watch.hpp"
#include "im/msrp/parser.hpp"
#include "msrp_relay/logger.hpp"
#include "msrp_stream.hpp"
#include "traffic_counters.hpp"

namespace im::msrp_relay {

class MsrpDispatcher;

struct ConnectionOptions {
    std::chrono::milliseconds idle_limit{0};
    std::size_t write_queue_limit = 1024 * 1024;
};

class MsrpConnection : public std::enable_shared_from_this<MsrpConnection> {
public:
    MsrpConnection(MsrpStream stream, MsrpDispatcher &dispatcher, ConnectionOptions options,
                   TrafficCounters &traffic, Logger &log);

    void start(std::uint64_t id);
    // An outbound connection (RFC 4976 7: to a next hop): resolves host,
    // connects, shakes hands; what is sent meanwhile waits in the queue. A
    // failure closes it with connect_failed() true.
    void connect(std::uint64_t id, const std::string &host, std::uint16_t port);
    bool connect_failed() const { return connect_failed_; }
    bool outbound() const { return outbound_; }
    // Idempotent; pending reads, writes and the idle timer complete as cancelled.
    void close() { close_because("shutdown"); }

    // Queues bytes for the peer, in order (empty strings are skipped); they
    // go out at the next flush().
    void send(std::string head, std::string body = {}, std::string tail = {});
    // Starts writing what is queued. The dispatcher flushes once after all
    // frames of one read, so a burst of chunks and responses leaves in one
    // gathered write instead of one system call each.
    void flush() { write_next(); }
    bool over_limit() const { return queued_bytes_ > options_.write_queue_limit; }
    // Stops reading from sender until this connection has drained (or closed).
    void hold_until_drained(const std::shared_ptr<MsrpConnection> &sender);

    std::uint64_t id() const { return id_; }
    const std::string &peer() const { return peer_; }

private:
    void handshake();
    void on_connected(const asio::error_code &error);
    void read_more();
    void on_read(std::size_t length);
    void write_next();
    void watch_idle();
    void pause();
    void resume();
    void release_waiting_senders();
    void close_because(std::string_view reason);

    MsrpStream stream_;
    MsrpDispatcher &dispatcher_;
    ConnectionOptions options_;
    TrafficCounters &traffic_;
    IdleWatch idle_;
    Logger &log_;
    std::string peer_;
    std::uint64_t id_ = 0;
    std::uint64_t bytes_in_ = 0;
    bool closed_ = false;
    bool ready_ = false;           // handshake done: writes may start
    bool outbound_ = false;
    bool connect_failed_ = false;
    std::optional<asio::ip::tcp::resolver> resolver_;  // outbound, while resolving

    im::msrp::Parser parser_;
    std::vector<char> read_buffer_;
    std::vector<im::msrp::Frame> frames_;  // parsed from one read
    bool reading_ = false;
    bool paused_ = false;

    std::deque<std::string> write_queue_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    std::size_t in_flight_ = 0;                 // queue entries the current write covers
    std::vector<asio::const_buffer> gathered_;  // their buffers
    std::vector<std::weak_ptr<MsrpConnection>> waiting_senders_;
};

}  // namespace im::msrp_relay

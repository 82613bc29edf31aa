#include "msrp_connection.hpp"

#include <algorithm>
#include <utility>

#include <asio/connect.hpp>

#include "msrp_dispatcher.hpp"

namespace im::msrp_relay {
namespace {

// A connection starts reading 64 KB at a time (a 64 KB chunk often arrives
// in one go); each read that fills the buffer doubles it, up to 256 KB, so
// only a busy sender's connection gets the larger buffer. Fewer, larger
// reads mean fewer system calls and wake-ups per MB, and larger gathered
// writes of what they carried.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
constexpr std::size_t kMaxReadBufferBytes = 256 * 1024;
// Queued strings written by one gathered write (IOV_MAX is 1024; Asio
// passes at most 64 buffers to one sendmsg).
constexpr std::size_t kMaxGatheredWrites = 256;
// Parts up to this size are appended to the last queued string rather than
// queued on their own: a chunk's end-line and the next chunk's head, or a
// run of 200 responses, then take one buffer of the gathered write.
constexpr std::size_t kCoalesceBytes = 2048;

std::string describe(const asio::ip::tcp::endpoint &endpoint)
{
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

MsrpConnection::MsrpConnection(MsrpStream stream, MsrpDispatcher &dispatcher, ConnectionOptions options,
                               TrafficCounters &traffic, Logger &log)
    : stream_(std::move(stream)), dispatcher_(dispatcher), options_(options), traffic_(traffic),
      idle_(stream_.socket().get_executor(), options.idle_limit), log_(log), read_buffer_(kReadBufferBytes)
{
    asio::error_code error;
    auto remote = stream_.socket().remote_endpoint(error);
    peer_ = error ? std::string("unknown peer") : describe(remote);
    if (stream_.secure()) peer_ += " (TLS)";
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), error);
}

void MsrpConnection::start(std::uint64_t id)
{
    id_ = id;
    if (log_.enabled(LogLevel::Debug)) log_.debug("msrp: connection from " + peer_ + " accepted");
    watch_idle();
    handshake();
}

void MsrpConnection::connect(std::uint64_t id, const std::string &host, std::uint16_t port)
{
    id_ = id;
    outbound_ = true;
    peer_ = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + std::to_string(port) +
            (stream_.secure() ? " (outbound, TLS)" : " (outbound)");
    stream_.expect_peer(host);
    if (log_.enabled(LogLevel::Debug)) log_.debug("msrp: connecting to " + peer_);
    watch_idle();
    resolver_.emplace(stream_.socket().get_executor());
    resolver_->async_resolve(host, std::to_string(port), asio::ip::tcp::resolver::numeric_service,
                             [self = shared_from_this()](const asio::error_code &error,
                                                         asio::ip::tcp::resolver::results_type results) {
                                 self->resolver_.reset();
                                 if (self->closed_) return;
                                 if (error) {
                                     self->on_connected(error);
                                     return;
                                 }
                                 asio::async_connect(self->stream_.socket(), results,
                                                     [self](const asio::error_code &connect_error,
                                                            const asio::ip::tcp::endpoint &) {
                                                         self->on_connected(connect_error);
                                                     });
                             });
}

void MsrpConnection::on_connected(const asio::error_code &error)
{
    if (closed_) return;
    if (error) {
        connect_failed_ = true;
        log_.warning("msrp: cannot connect to " + peer_ + ": " + error.message());
        close_because("connect failed");
        return;
    }
    asio::error_code ignored;
    stream_.socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    handshake();
}

void MsrpConnection::handshake()
{
    stream_.async_handshake([self = shared_from_this()](const asio::error_code &error) {
        if (self->closed_) return;
        if (error) {
            ++self->traffic_.tls_failures;
            // Outbound, a refused certificate is a failure to reach the next hop.
            self->connect_failed_ = self->outbound_;
            self->log_.warning("msrp: TLS handshake with " + self->peer_ + " failed: " + error.message());
            self->close_because("TLS handshake failed");
            return;
        }
        self->ready_ = true;
        self->read_more();
        self->write_next();
    });
}

void MsrpConnection::watch_idle()
{
    idle_.start([self = shared_from_this()] {
        // A sender paused by back-pressure is waiting, not idle; a connection
        // carrying a session is governed by the session's idle timeout.
        if (self->paused_ || self->dispatcher_.carries_sessions(*self)) {
            self->watch_idle();
            return;
        }
        ++self->traffic_.idle_connections;
        self->close_because("idle timeout");
    });
}

void MsrpConnection::read_more()
{
    if (closed_ || paused_ || reading_) return;
    reading_ = true;
    stream_.async_read_some(asio::buffer(read_buffer_),
                            [self = shared_from_this()](const asio::error_code &error, std::size_t length) {
                                self->reading_ = false;
                                if (self->closed_) return;
                                if (error) {
                                    // A TLS peer that closes without close_notify ends with stream_truncated.
                                    bool clean = error == asio::error::eof || error == asio::ssl::error::stream_truncated;
                                    if (!clean) ++self->traffic_.io_errors;
                                    self->close_because(clean ? "peer closed" : "read error: " + error.message());
                                    return;
                                }
                                self->on_read(length);
                            });
}

void MsrpConnection::on_read(std::size_t length)
{
    bytes_in_ += length;
    traffic_.bytes_in += length;
    idle_.touch();
    // A member vector, cleared rather than allocated per read.
    std::vector<im::msrp::Frame> &frames = frames_;
    frames.clear();
    bool intact = parser_.feed({read_buffer_.data(), length}, frames);
    if (length == read_buffer_.size() && read_buffer_.size() < kMaxReadBufferBytes)
        read_buffer_.resize(read_buffer_.size() * 2);
    // Frames before a broken one are valid and still delivered.
    auto self = shared_from_this();
    dispatcher_.on_frames(*this, frames);
    frames.clear();
    if (closed_) return;
    if (!intact) {
        // RFC 4975 offers no way to resynchronize: only this connection goes.
        ++traffic_.malformed;
        const auto &problem = *parser_.error();
        log_.warning("msrp: closing connection from " + peer_ + ": malformed frame (" +
                     std::string(im::msrp::to_string(problem.kind)) + ": " + problem.reason + ")");
        close_because("malformed frame");
        return;
    }
    read_more();
}

void MsrpConnection::send(std::string head, std::string body, std::string tail)
{
    if (closed_) return;
    for (std::string *part : {&head, &body, &tail}) {
        if (part->empty()) continue;
        queued_bytes_ += part->size();
        // The last string may be appended to unless the write in progress
        // covers it (its buffer must not move).
        bool last_is_free = !write_queue_.empty() && (!writing_ || write_queue_.size() > in_flight_);
        if (part->size() <= kCoalesceBytes && last_is_free && write_queue_.back().size() <= kCoalesceBytes) {
            write_queue_.back() += *part;
            continue;
        }
        write_queue_.push_back(std::move(*part));
    }
}

void MsrpConnection::write_next()
{
    if (!ready_ || writing_ || write_queue_.empty() || closed_) return;
    writing_ = true;
    // Everything queued goes out in one gathered write: one system call for
    // a burst of responses and forwarded chunks instead of one each.
    in_flight_ = std::min(write_queue_.size(), kMaxGatheredWrites);
    gathered_.clear();
    for (std::size_t i = 0; i < in_flight_; ++i) gathered_.push_back(asio::buffer(write_queue_[i]));
    stream_.async_write(gathered_, [self = shared_from_this()](const asio::error_code &error, std::size_t length) {
        self->writing_ = false;
        if (self->closed_) return;
        if (error) {
            ++self->traffic_.io_errors;
            self->close_because("write error: " + error.message());
            return;
        }
        self->traffic_.bytes_out += length;
        self->queued_bytes_ -= length;
        self->write_queue_.erase(self->write_queue_.begin(),
                                 self->write_queue_.begin() + static_cast<std::ptrdiff_t>(self->in_flight_));
        self->idle_.touch();
        if (self->queued_bytes_ <= self->options_.write_queue_limit / 2) self->release_waiting_senders();
        self->write_next();
    });
}

void MsrpConnection::hold_until_drained(const std::shared_ptr<MsrpConnection> &sender)
{
    sender->pause();
    for (const auto &waiting : waiting_senders_) {
        if (waiting.lock() == sender) return;
    }
    waiting_senders_.push_back(sender);
}

void MsrpConnection::pause()
{
    if (!paused_) ++traffic_.paused_reads;
    paused_ = true;
}

void MsrpConnection::resume()
{
    paused_ = false;
    read_more();
}

void MsrpConnection::release_waiting_senders()
{
    auto waiting = std::exchange(waiting_senders_, {});
    for (const auto &weak : waiting) {
        if (auto sender = weak.lock()) sender->resume();
    }
}

void MsrpConnection::close_because(std::string_view reason)
{
    if (closed_) return;
    closed_ = true;
    idle_.cancel();
    if (resolver_) resolver_->cancel();
    stream_.close();
    write_queue_.clear();
    queued_bytes_ = 0;
    dispatcher_.on_closed(*this);
    // Senders waiting for this receiver must not wait forever.
    release_waiting_senders();
    if (log_.enabled(LogLevel::Debug))
        log_.debug("msrp: connection from " + peer_ + " closed (" + std::string(reason) + ") after " +
                   std::to_string(bytes_in_) + " bytes in");
}

}  // namespace im::msrp_relay

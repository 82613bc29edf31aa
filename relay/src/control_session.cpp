#include "control_session.hpp"

#include <utility>

#include <asio/read_until.hpp>
#include <asio/write.hpp>

#include "im/relay/control_protocol.hpp"

namespace im::msrp_relay {

using im::relay::kMaxControlLineBytes;

ControlSession::ControlSession(asio::local::stream_protocol::socket socket, ConnectionSet<ControlSession> &sessions,
                               const ControlAnswer &answer, std::chrono::milliseconds idle_limit, Logger &log)
    : socket_(std::move(socket)), sessions_(sessions), answer_(answer), idle_(socket_.get_executor(), idle_limit),
      log_(log)
{
}

void ControlSession::start()
{
    id_ = sessions_.add(shared_from_this());
    idle_.start([self = shared_from_this()] { self->close(); });
    read_line();
}

void ControlSession::read_line()
{
    // The buffer limit makes Asio report not_found instead of growing without bound.
    asio::async_read_until(
        socket_, asio::dynamic_buffer(input_, kMaxControlLineBytes + 1), '\n',
        [self = shared_from_this()](const asio::error_code &error, std::size_t length) {
            if (self->closed_) return;
            if (error == asio::error::not_found) {
                self->log_.warning("control: request line longer than " + std::to_string(kMaxControlLineBytes) +
                                   " bytes; closing the connection");
                self->write_reply(im::relay::serialize_reply(
                                      im::relay::ControlReply::error(im::relay::kErrMalformed, "line too long")),
                                  true);
                return;
            }
            if (error) {
                self->close();
                return;
            }
            std::string line = self->input_.substr(0, length);
            self->input_.erase(0, length);
            self->idle_.touch();
            self->write_reply(self->answer_(line), false);
        });
}

void ControlSession::write_reply(std::string reply, bool close_after)
{
    output_ = std::move(reply);
    asio::async_write(socket_, asio::buffer(output_),
                      [self = shared_from_this(), close_after](const asio::error_code &error, std::size_t) {
                          if (self->closed_) return;
                          if (error || close_after) {
                              self->close();
                              return;
                          }
                          self->read_line();
                      });
}

void ControlSession::close()
{
    if (closed_) return;
    closed_ = true;
    idle_.cancel();
    asio::error_code ignored;
    socket_.close(ignored);
    sessions_.remove(id_);
}

}  // namespace im::msrp_relay

#include "msrp_connection.hpp"

#include <utility>

namespace im::msrp_relay {
namespace {

std::string describe(const asio::ip::tcp::endpoint &endpoint)
{
    std::string host = endpoint.address().to_string();
    if (endpoint.address().is_v6()) host = "[" + host + "]";
    return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

MsrpConnection::MsrpConnection(asio::ip::tcp::socket socket, ConnectionSet<MsrpConnection> &peers,
                               TrafficCounters &traffic, std::chrono::milliseconds idle_limit, Logger &log)
    : socket_(std::move(socket)), peers_(peers), traffic_(traffic), idle_(socket_.get_executor(), idle_limit),
      log_(log)
{
    asio::error_code error;
    auto remote = socket_.remote_endpoint(error);
    peer_ = error ? std::string("unknown peer") : describe(remote);
}

void MsrpConnection::start()
{
    id_ = peers_.add(shared_from_this());
    if (log_.enabled(LogLevel::Debug)) log_.debug("msrp: connection from " + peer_ + " accepted");
    idle_.start([self = shared_from_this()] { self->close_because("idle timeout"); });
    read_more();
}

void MsrpConnection::read_more()
{
    socket_.async_read_some(asio::buffer(buffer_),
                            [self = shared_from_this()](const asio::error_code &error, std::size_t length) {
                                if (self->closed_) return;
                                if (error) {
                                    self->close_because(error == asio::error::eof ? "peer closed"
                                                                                  : "read error: " + error.message());
                                    return;
                                }
                                self->bytes_in_ += length;
                                self->traffic_.bytes_in += length;
                                self->idle_.touch();
                                self->read_more();
                            });
}

void MsrpConnection::close_because(std::string_view reason)
{
    if (closed_) return;
    closed_ = true;
    idle_.cancel();
    asio::error_code ignored;
    socket_.close(ignored);
    peers_.remove(id_);
    if (log_.enabled(LogLevel::Debug))
        log_.debug("msrp: connection from " + peer_ + " closed (" + std::string(reason) + ") after " +
                   std::to_string(bytes_in_) + " bytes in");
}

}  // namespace im::msrp_relay

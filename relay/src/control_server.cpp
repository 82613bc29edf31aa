#include "control_server.hpp"

#include <memory>
#include <utility>

namespace im::msrp_relay {

ControlServer::ControlServer(asio::io_context &io, ControlAnswer answer, std::chrono::milliseconds idle_limit,
                             Logger &log)
    : acceptor_(io), retry_timer_(io), answer_(std::move(answer)), idle_limit_(idle_limit), log_(log)
{
}

std::optional<std::string> ControlServer::open(const std::string &path)
{
    if (auto problem = socket_file_.prepare(path)) return "control socket: " + *problem;

    asio::local::stream_protocol::endpoint endpoint(path);
    asio::error_code error;
    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (error) {
        asio::error_code ignored;
        acceptor_.close(ignored);
        return "cannot bind control socket " + path + ": " + error.message();
    }
    // Claim before listen: nobody can connect until the permissions are final.
    if (auto problem = socket_file_.claim()) {
        close();
        return "control socket: " + *problem;
    }
    acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        close();
        return "cannot listen on control socket " + path + ": " + error.message();
    }
    accept_next();
    return std::nullopt;
}

void ControlServer::close()
{
    asio::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
    sessions_.close_all();
    socket_file_.remove();
}

void ControlServer::accept_next()
{
    acceptor_.async_accept([this](const asio::error_code &error, asio::local::stream_protocol::socket socket) {
        if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (error) {
            log_.warning("control: accept failed: " + error.message());
            retry_timer_.expires_after(std::chrono::milliseconds(100));
            retry_timer_.async_wait([this](const asio::error_code &timer_error) {
                if (!timer_error) accept_next();
            });
            return;
        }
        std::make_shared<ControlSession>(std::move(socket), sessions_, answer_, idle_limit_, log_)->start();
        accept_next();
    });
}

}  // namespace im::msrp_relay

#include "msrp_listener.hpp"

#include <memory>

namespace im::msrp_relay {

MsrpListener::MsrpListener(asio::io_context &io, MsrpDispatcher &dispatcher, Logger &log, asio::ssl::context *tls)
    : acceptor_(io), retry_timer_(io), dispatcher_(dispatcher), log_(log), tls_(tls)
{
}

std::optional<std::string> MsrpListener::open(const ListenAddress &address)
{
    auto fail = [this, &address](const asio::error_code &error) {
        return std::string(tls_ ? "cannot listen for MSRP over TLS on " : "cannot listen for MSRP on ") +
               address.to_string() + ": " + error.message();
    };
    asio::error_code error;
    auto ip = asio::ip::make_address(address.host, error);
    if (error) return fail(error);
    asio::ip::tcp::endpoint endpoint(ip, address.port);

    acceptor_.open(endpoint.protocol(), error);
    if (!error) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        asio::error_code ignored;
        acceptor_.close(ignored);
        return fail(error);
    }

    auto bound = acceptor_.local_endpoint(error);
    local_port_ = error ? address.port : bound.port();
    local_address_ = ListenAddress{address.host, local_port_}.to_string();
    accept_next();
    return std::nullopt;
}

void MsrpListener::close()
{
    asio::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
    dispatcher_.close_all();
}

void MsrpListener::accept_next()
{
    acceptor_.async_accept([this](const asio::error_code &error, asio::ip::tcp::socket socket) {
        if (error == asio::error::operation_aborted || !acceptor_.is_open()) return;
        if (error) {
            // Typically EMFILE: wait a little instead of spinning on the same failure.
            log_.warning("msrp: accept failed: " + error.message());
            retry_timer_.expires_after(std::chrono::milliseconds(100));
            retry_timer_.async_wait([this](const asio::error_code &timer_error) {
                if (!timer_error) accept_next();
            });
            return;
        }
        dispatcher_.adopt(tls_ ? MsrpStream(std::move(socket), *tls_) : MsrpStream(std::move(socket)));
        accept_next();
    });
}

}  // namespace im::msrp_relay

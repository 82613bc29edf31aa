#pragma once
// The byte stream under one MSRP connection: plain TCP (msrp:) or TLS over
// TCP (msrps:, RFC 4975 14.2). MsrpConnection is written once against this.
#include <optional>
#include <utility>

#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/ssl/context.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/write.hpp>

namespace im::msrp_relay {

class MsrpStream {
public:
    explicit MsrpStream(asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}
    MsrpStream(asio::ip::tcp::socket socket, asio::ssl::context &tls) : tls_(std::in_place, std::move(socket), tls) {}

    bool secure() const { return tls_.has_value(); }
    asio::ip::tcp::socket &socket() { return tls_ ? tls_->next_layer() : *plain_; }

    // Completes at once for plain TCP.
    template <typename Handler>
    void async_handshake(Handler &&handler)
    {
        if (tls_)
            tls_->async_handshake(asio::ssl::stream_base::server, std::forward<Handler>(handler));
        else
            asio::post(plain_->get_executor(), [handler = std::forward<Handler>(handler)]() mutable { handler(asio::error_code{}); });
    }

    template <typename Buffers, typename Handler>
    void async_read_some(const Buffers &buffers, Handler &&handler)
    {
        if (tls_)
            tls_->async_read_some(buffers, std::forward<Handler>(handler));
        else
            plain_->async_read_some(buffers, std::forward<Handler>(handler));
    }

    template <typename Buffers, typename Handler>
    void async_write(const Buffers &buffers, Handler &&handler)
    {
        if (tls_)
            asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
        else
            asio::async_write(*plain_, buffers, std::forward<Handler>(handler));
    }

    // Abrupt: no TLS close_notify, since the peer may be gone or hostile.
    void close()
    {
        asio::error_code ignored;
        socket().close(ignored);
    }

private:
    std::optional<asio::ip::tcp::socket> plain_;
    std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
};

}  // namespace im::msrp_relay

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
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <string>

namespace im::msrp_relay {

class MsrpStream {
public:
    explicit MsrpStream(asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}
    // TLS as the server (accepted connections) or as the client (outbound).
    MsrpStream(asio::ip::tcp::socket socket, asio::ssl::context &tls,
               asio::ssl::stream_base::handshake_type role = asio::ssl::stream_base::server)
        : tls_(std::in_place, std::move(socket), tls), role_(role)
    {
    }

    bool secure() const { return tls_.has_value(); }
    // Outbound TLS: the peer's certificate must name host (an IP literal is
    // checked against its IP addresses, a name against its DNS names, which
    // also goes out as SNI); the context decides whether it is verified.
    void expect_peer(const std::string &host)
    {
        if (!tls_) return;
        SSL *ssl = tls_->native_handle();
        X509_VERIFY_PARAM *param = SSL_get0_param(ssl);
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
            X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
            SSL_set_tlsext_host_name(ssl, host.c_str());
        }
    }
    asio::ip::tcp::socket &socket() { return tls_ ? tls_->next_layer() : *plain_; }

    // Completes at once for plain TCP.
    template <typename Handler>
    void async_handshake(Handler &&handler)
    {
        if (tls_)
            tls_->async_handshake(role_, std::forward<Handler>(handler));
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
    asio::ssl::stream_base::handshake_type role_ = asio::ssl::stream_base::server;
};

}  // namespace im::msrp_relay

#pragma once
// The authority of every URI the relay hands out: session paths, and the
// Use-Path of RFC 4976 AUTH.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "im/msrp/uri.hpp"

namespace im::msrp_relay {

// Where the relay is reached: the authority of every URI it hands out.
struct RelayAddress {
    RelayAddress(std::string host_, std::uint16_t port_, std::optional<std::uint16_t> tls_port_ = std::nullopt)
        : host(std::move(host_)), port(port_), tls_port(tls_port_)
    {
    }

    std::string host;  // IPv6 without brackets is bracketed in URIs
    std::uint16_t port = 2855;
    std::optional<std::uint16_t> tls_port;  // when the relay also listens for msrps

    im::msrp::Uri uri_for(std::string_view participant_id, bool secure = false) const;
    // "msrp://127.0.0.1:2855/<participant id>;tcp": what SDP a=path carries;
    // secure gives "msrps://<host>:<tls port>/<participant id>;tcp".
    std::string path_for(std::string_view participant_id, bool secure = false) const;
    // Whether uri names this relay (host and the port of its scheme, RFC
    // 4975 6.1 comparison): a next hop reached without a socket.
    bool is_ours(const im::msrp::Uri &uri) const;
};

}  // namespace im::msrp_relay

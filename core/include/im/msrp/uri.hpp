#pragma once
// MSRP URIs (RFC 4975 sections 6 and 9) and the path lists of To-Path,
// From-Path and Use-Path:
//   msrp[s]://[userinfo@]host[:port][/session-id];transport*(;param[=value])
// Fields keep the text as written (case included) so a relay forwards what it
// received; equivalent() applies the comparison rules of section 6.1.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/result.hpp"

namespace im::msrp {

struct UriParam {
    std::string name;                  // token
    std::optional<std::string> value;  // token, when "name=value"

    bool operator==(const UriParam &) const = default;
};

struct Uri {
    bool secure = false;                 // "msrps" (TLS) rather than "msrp"
    std::string userinfo;                // without the '@'; empty when absent
    std::string host;                    // reg-name, IPv4 or "[IPv6]" as written
    std::optional<std::uint16_t> port;
    std::string session_id;              // empty for a relay or host URI (no "/...")
    std::string transport = "tcp";       // as written
    std::vector<UriParam> params;        // after the transport, in order

    bool operator==(const Uri &) const = default;  // field by field; see equivalent()
};

// Parses one URI; errors have kind malformed_uri.
Result<Uri> parse_uri(std::string_view text);
std::string to_string(const Uri &uri);

// RFC 4975 6.1: scheme, host (case-insensitive, percent-decoded, IP addresses
// by value), port and transport must match, session-id case-sensitively;
// userinfo and the other parameters are ignored.
bool equivalent(const Uri &a, const Uri &b);

// A path is one or more URIs separated by spaces, leftmost first hop.
using Path = std::vector<Uri>;
Result<Path> parse_path(std::string_view text);
std::string to_string(const Path &path);

}  // namespace im::msrp

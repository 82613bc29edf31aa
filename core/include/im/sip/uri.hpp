#pragma once
// Just enough SIP URI handling to compare users: RFC 3261 19.1 with the
// comparison rules of 19.1.4 that matter for an address of record.
#include <optional>
#include <string>
#include <string_view>

namespace im::sip {

struct Uri {
    std::string scheme;  // "sip", "sips", "tel"; lower case
    std::string user;    // case preserved (user parts compare case-sensitively)
    std::string host;    // lower case
    int port = 0;        // 0 when absent
    std::string params;  // ";..." URI parameters, raw

    // "scheme:user@host": the key under which user state is stored.
    std::string aor() const;
};

// Parses "sip:user@host:port;params?headers" (no display name, no <>).
std::optional<Uri> parse_uri(std::string_view text);

// The URI inside a name-addr or addr-spec header value:
// "\"Alice\" <sip:alice@example.com>;tag=1" -> "sip:alice@example.com".
std::string_view uri_of_name_addr(std::string_view header_value);

// The AOR of a header value or bare URI, or nullopt when it is no SIP URI.
std::optional<std::string> aor_of(std::string_view header_value);
// The same into `out`, reusing its capacity; false (and `out` empty) when
// it is no SIP URI. An AOR is never empty.
bool aor_of(std::string_view header_value, std::string &out);

}  // namespace im::sip

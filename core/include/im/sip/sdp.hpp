#pragma once
// Session descriptions (RFC 4566) as far as the IM procedures read them: the
// media lines, their attributes and the direction (RFC 3264 6.1) of each.
//
// SDP's grammar is line based ("<type>=<value>"), so it is parsed here rather
// than through a SIP stack library. Accepted: CRLF or bare LF line ends, a
// first line "v=0", any other known or unknown line type. Refused: a line that
// is not "<letter>=", an m= line without media, port, protocol and format, a
// port outside 0-65535, and more bytes, lines, media or attributes than the
// limits. Values are views into the input: it must outlive the result.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "im/xml/result.hpp"

namespace im::sip {

enum class MediaDirection { sendrecv, sendonly, recvonly, inactive };

struct SdpAttribute {
    std::string_view name;   // before the first ':'
    std::string_view value;  // after it, empty for a property attribute
};

struct SdpMedia {
    std::string_view media;     // "message", "audio", ...
    std::uint32_t port = 0;     // 0: the stream is declined or disabled (RFC 3264 6)
    std::string_view protocol;  // "TCP/MSRP", "TCP/TLS/MSRP", "RTP/AVP", ...
    std::vector<std::string_view> formats;
    std::vector<SdpAttribute> attributes;

    // The value of the first attribute called `name` (case-sensitive, as SDP
    // attribute names are), or nullopt.
    std::optional<std::string_view> attribute(std::string_view name) const;
    bool is_msrp() const;  // message media over TCP/MSRP or TCP/TLS/MSRP (RFC 4975 8.1)
};

struct SessionDescription {
    std::vector<SdpAttribute> session_attributes;  // before the first m= line
    std::vector<SdpMedia> media;

    // The media's own direction attribute, else the session-level one, else
    // sendrecv (RFC 3264 5.1).
    MediaDirection direction_of(const SdpMedia &m) const;
};

struct SdpLimits {
    std::size_t max_bytes = 64 * 1024;
    std::size_t max_lines = 1024;
    std::size_t max_media = 32;
};

xml::Result<SessionDescription> parse_sdp(std::string_view text, const SdpLimits &limits = {});

}  // namespace im::sip

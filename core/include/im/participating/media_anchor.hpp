#pragma once
// The Participating Function in the media path (6.2.3.2 step 2, 6.2.3.3
// "update the User Plane", 6.2.4.2 step 1): the MSRP media of a session is
// anchored at the MSRP relay, which switches it between the two sides. The
// signalling stays proxied (Record-Route); only the session descriptions are
// rewritten, as a media-anchoring proxy does for RTP.
//
// Every SDP offer or answer that travels towards one side gets that side's
// relay path: its MSRP media's a=path becomes the relay URI alone (the far
// side's addresses stay hidden, RFC 4976 7.3 lets the relay find them from
// the bind), c= and the m= port become the relay's host and port, the
// protocol follows the URI's scheme (TCP/MSRP or TCP/TLS/MSRP), and
// a=setup:passive (RFC 6135) makes the endpoint connect to the relay, which
// never connects out. Everything else (accept-types, file attributes,
// direction, other declined media) is kept as it was.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "im/xml/result.hpp"

namespace im::participating {

// Replace `length` bytes at `offset` of the message body with `text`.
struct BodyEdit {
    std::size_t offset = 0;
    std::size_t length = 0;
    std::string text;

    bool operator==(const BodyEdit &) const = default;
};

// The SDP `sdp` with each MSRP media stream (port not 0) anchored at
// `relay_path` (one msrp: or msrps: URI with a session id). Errors: an SDP
// that does not parse, a relay path that is not one MSRP URI with a port.
xml::Result<std::string> anchor_sdp(std::string_view sdp, std::string_view relay_path);

// The same for a message body: application/sdp, or the application/sdp part
// of a multipart/mixed body (a Large Message to a URI-list). nullopt when the
// body carries no SDP (nothing to anchor).
xml::Result<std::optional<BodyEdit>> anchor_session_body(std::string_view content_type, std::string_view body,
                                                          std::string_view relay_path);

}  // namespace im::participating

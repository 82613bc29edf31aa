#pragma once
// multipart/* bodies (RFC 2046 5.1) split into their parts, and the pager-mode
// URI-list MESSAGE (RFC 5365 / OMA IM CR 000) split into its recipient list
// and its message. It lives beside the XML parsers because its one job here is
// to carry an application/resource-lists+xml document.
//
// Accepted: a boundary parameter (token or quoted-string, 1-70 characters of
// RFC 2046 bchars), an optional preamble, delimiter lines ending in CRLF or a
// bare LF (transport padding allowed), part headers with folded lines, an
// optional epilogue. Refused: no or bad boundary, no first delimiter, no
// closing delimiter (a truncated body), a part whose header block never ends
// or holds a line that is not "name: value", and more parts, headers or bytes
// than the limits. Nested multiparts are not opened.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/xml/result.hpp"

namespace im::xml {

struct MimeHeader {
    std::string name;   // as written
    std::string value;  // unfolded, surrounding whitespace trimmed

    bool operator==(const MimeHeader &) const = default;
};

struct MimePart {
    std::vector<MimeHeader> headers;
    std::string body;  // the bytes between the header block and the next delimiter

    // The first header called `name` (case-insensitive), or nullptr.
    const std::string *header(std::string_view name) const;
    // "type/subtype" of Content-Type, lower case, parameters dropped;
    // "text/plain" when absent (RFC 2046 5.1 default).
    std::string media_type() const;
    // The disposition type of Content-Disposition, lower case, "" when absent.
    std::string disposition() const;
};

struct MultipartLimits {
    std::size_t max_bytes = 1024 * 1024;
    std::size_t max_parts = 16;
    std::size_t max_headers_per_part = 32;
};

// `content_type` is the value of the message's Content-Type header.
Result<std::vector<MimePart>> split_multipart(std::string_view content_type, std::string_view body,
                                              const MultipartLimits &limits = {});

// The two halves of a URI-list MESSAGE: exactly one part with
// Content-Disposition: recipient-list (which must be
// application/resource-lists+xml) and exactly one other part, the message.
struct UriListMessage {
    MimePart recipient_list;
    MimePart message;
};

// Requires multipart/mixed. Errors: everything split_multipart refuses, a
// missing or repeated recipient-list part, a missing or ambiguous message.
Result<UriListMessage> split_uri_list_message(std::string_view content_type, std::string_view body,
                                              const MultipartLimits &limits = {});

// --- header value helpers (RFC 2045 5.1 syntax) -----------------------------

// "type/subtype" lower case, or "" when the value has none.
std::string media_type_of(std::string_view header_value);
// A parameter's value (quoted-string unquoted), nullopt when absent or bad.
std::optional<std::string> header_parameter(std::string_view header_value, std::string_view name);

}  // namespace im::xml

#pragma once
// The SIP Date header (RFC 3261 20.17): an RFC 1123 date, always in GMT,
// e.g. "Sat, 13 Nov 2010 23:29:00 GMT".
#include <cstdint>
#include <optional>
#include <string_view>

namespace im::sip {

// Seconds since the Unix epoch, or nullopt when the text is no SIP date.
std::optional<std::int64_t> parse_sip_date(std::string_view text);

}  // namespace im::sip

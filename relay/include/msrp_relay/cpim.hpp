#pragma once
// message/cpim (RFC 3862) as the conference needs it: wrap a payload with the
// sender's identity, or re-stamp a CPIM message a participant sent so the
// From the others see is the one the relay vouches for.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace im::msrp_relay {

struct CpimHeader {
    std::string_view name;
    std::string_view value;
};

// A CPIM body split into its message headers and the MIME part after the
// blank line (content headers, blank line, payload). Views into the body.
struct CpimMessage {
    std::vector<CpimHeader> headers;
    std::string_view mime_part;

    // Content-Type of the encapsulated payload, without parameters; empty if absent.
    std::string_view payload_type() const;
};

// nullopt when the body has no CRLF CRLF after its header block or a header
// line is not "Name: value".
std::optional<CpimMessage> parse_cpim(std::string_view body);

// Identities are SIP URIs ("sip:alice@example.com") or name-addrs
// ("Alice <sip:alice@example.com>"); a bare URI gets angle brackets.
std::string cpim_address(std::string_view identity);

struct CpimStamp {
    std::string from;       // identity as given to cpim_address
    std::string to;         // the receiver's identity, may be empty
    std::string date_time;  // RFC 3339, e.g. "2026-01-31T09:15:02Z"
};

// A new CPIM message carrying content_type and payload.
std::string wrap_cpim(const CpimStamp &stamp, std::string_view content_type, std::string_view payload);
// The same message with From, To and DateTime replaced by the stamp's; other
// headers (NS, Subject, Require...) and the MIME part are kept as they are.
std::string restamp_cpim(const CpimMessage &message, const CpimStamp &stamp);

}  // namespace im::msrp_relay

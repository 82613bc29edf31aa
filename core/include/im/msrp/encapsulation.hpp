#pragma once
// Stored messages sent back to a client (spec 10.3.2.5, 11.3.3.1, appendix
// J): each in one MSRP SEND, the original headers unaltered and the time the
// IM server received it added as a Date header.
//  - a stored SIP request: "message/sip", the request with Date added;
//  - a stored MSRP SEND: "multipart/mixed" with one "message/msrp" part, the
//    SEND rebuilt as received (start line, To-Path, From-Path, Message-ID and
//    the other headers, Date, Content-Type, body, end-line).
// Pure functions over text.
#include <cstdint>
#include <string>

#include "im/msrp/ids.hpp"
#include "im/msrp/message.hpp"
#include "im/msrp/message_store.hpp"

namespace im::msrp {

// RFC 1123 (SIP Date) form of a Unix time in ms: "Thu, 21 Feb 2002 13:02:03 GMT".
std::string http_date(std::int64_t unix_ms);

// The stored SEND as one whole message, as received: the content of the
// message/msrp part.
std::string rebuild_send(const StoredMessage &message);

// The body (with its Content-Type) of the SEND that pushes message.
Body encapsulate_stored(const StoredMessage &message, const RandomSource &random);

}  // namespace im::msrp

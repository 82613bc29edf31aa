#pragma once
// What a node sends back for a request it received: the transaction
// response (RFC 4975 7.2) and the REPORT (7.1.3, 7.1.4). The node's own URI
// is the first To-Path URI of the request: an endpoint receives requests
// with exactly one To-Path URI (7.3), a relay (RFC 4976) finds itself first.
#include <optional>
#include <string>
#include <string_view>

#include "im/msrp/message.hpp"

namespace im::msrp {

// Status codes of RFC 4975 section 10 and RFC 4976.
inline constexpr int kStatusOk = 200;
inline constexpr int kStatusBadRequest = 400;
inline constexpr int kStatusUnauthorized = 401;        // RFC 4976 AUTH
inline constexpr int kStatusForbidden = 403;
inline constexpr int kStatusTimeout = 408;
inline constexpr int kStatusStopSending = 413;
inline constexpr int kStatusUnsupportedMedia = 415;
inline constexpr int kStatusOutOfBounds = 423;         // RFC 4976 Expires
inline constexpr int kStatusNoSession = 481;
inline constexpr int kStatusUnknownMethod = 501;
inline constexpr int kStatusSessionInUse = 506;

// The usual comment for a code ("OK", "Unauthorized"...), empty if none.
std::string_view default_comment(int status_code);

// Whether RFC 4975 lets a node answer request with this code: never a
// REPORT or a Failure-Report "no", only non-200 for "partial".
bool response_expected(const Request &request, int status_code);

// The response to request: same transaction id; To-Path the first From-Path
// URI for SEND (responses go back one hop) and the whole From-Path for other
// methods; From-Path the receiving node's URI. comment nullopt means
// default_comment(status_code).
Response make_response(const Request &request, int status_code,
                       std::optional<std::string> comment = std::nullopt);

// Appends serialize(make_response(request, status_code)) to out, byte for
// byte, without building the Response: a relay and a client answer every
// SEND chunk, and copying the paths into a Response was most of the cost.
void append_response(std::string &out, const Request &request, int status_code);

// A REPORT on the message a SEND request carried: To-Path the request's
// whole From-Path, From-Path the receiving node's URI, the same Message-ID,
// "Status: 000 <code> <comment>", and the Byte-Range reported on. Without
// range, the range is the request's own with range-end computed from the
// body actually received (7.1.4). transaction_id comes from make_transaction_id.
Request make_report(const Request &send, std::string transaction_id, int status_code,
                    std::optional<std::string> comment = std::nullopt,
                    std::optional<ByteRange> range = std::nullopt);

}  // namespace im::msrp

#pragma once
// Writes requests and responses in the RFC 4975 wire format: CRLF line ends,
// To-Path and From-Path first, the other header fields in their order,
// Content-Type last, the body, CRLF and the end-line.
//
// The serializer trusts the model: values the parser would refuse (a CR in a
// header value, an empty path, a body containing its own end-line) produce
// bytes the peer will refuse too. Frames from the parser and from the
// builders in replies.hpp always serialize to parseable bytes.
#include <string>

#include "im/msrp/message.hpp"

namespace im::msrp {

// Append to out, so a connection can serialize into its send buffer.
void append_wire(std::string &out, const Request &request);
void append_wire(std::string &out, const Response &response);
void append_wire(std::string &out, const Frame &frame);

std::string serialize(const Request &request);
std::string serialize(const Response &response);
std::string serialize(const Frame &frame);

// "-------<transaction-id><flag>\r\n"
std::string end_line(std::string_view transaction_id, Continuation continuation);

}  // namespace im::msrp

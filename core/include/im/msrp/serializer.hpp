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

// A request in three parts, so that a large body can be written from where
// it already is (a gathered write) instead of being copied between them:
// append_head writes the start line, the headers and, with a body, the
// Content-Type and the blank line; append_tail the CRLF after a body and the
// end-line. head + body bytes + tail is exactly append_wire's output.
void append_head(std::string &out, const Request &request);
void append_tail(std::string &out, const Request &request);

std::string serialize(const Request &request);
std::string serialize(const Response &response);
std::string serialize(const Frame &frame);

// "-------<transaction-id><flag>\r\n"
std::string end_line(std::string_view transaction_id, Continuation continuation);

}  // namespace im::msrp

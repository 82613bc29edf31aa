#pragma once
// Shared by the MSRP codec tests.
#include <string>
#include <string_view>

namespace im::msrp::testing {

// The RFCs print messages with bare line ends; on the wire every line ends in CRLF.
inline std::string crlf(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

// RFC 4975 11.1, message 4: Alice's SEND to Bob.
inline const std::string kRfc4975BasicSend = crlf(
    "MSRP d93kswow SEND\n"
    "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
    "Message-ID: 12339sdqwer\n"
    "Byte-Range: 1-16/16\n"
    "Content-Type: text/plain\n"
    "\n"
    "Hi, I'm Alice!\n"
    "-------d93kswow$\n");

}  // namespace im::msrp::testing

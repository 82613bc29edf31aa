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

}  // namespace im::msrp::testing

#pragma once
// What a procedure asks the host (the Kamailio glue) to do with a request.
#include <string>
#include <vector>

#include "im/verdict.hpp"

namespace im {

struct Header {
    std::string name;
    std::string value;

    bool operator==(const Header &) const = default;
};

// Appends headers as a SIP header block: "Name: value\r\n" per header.
inline void append_header_block(std::string &out, const std::vector<Header> &headers)
{
    for (const Header &h : headers) out.append(h.name).append(": ").append(h.value).append("\r\n");
}

struct Action {
    enum class Next {
        Forward,      // relay the request (with the changes below)
        Controlling,  // hand the request to the Controlling IM Function
    };

    Verdict verdict;                      // a reply ends the request here
    Next next = Next::Forward;
    std::string request_uri;              // new Request-URI when not empty
    std::vector<Header> request_headers;  // appended to the forwarded request
    std::vector<Header> reply_headers;    // added to the reply when verdict replies
    bool record_history = false;          // the served user's hist-settings is active (6.2.2.1 step 4)

    static Action reply(Verdict v) { return Action{std::move(v), Next::Forward, {}, {}, {}, false}; }
};

}  // namespace im

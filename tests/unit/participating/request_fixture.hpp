#pragma once
// A MESSAGE as the SIP/IP core hands it to the IM server, to vary per test.
#include <string>
#include <string_view>

#include "im/clock.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"

namespace im::test {

// 1000 s after the epoch: Thu, 01 Jan 1970 00:16:40 GMT.
struct FixedClock final : im::Clock {
    std::int64_t now() const override { return 1000; }
};

// The IM server at 127.0.0.1:5070 behind the core at 127.0.0.1:5060.
inline participating::Config participating_config()
{
    participating::Config c;
    c.identity = {*net::TrustedPeers::parse("127.0.0.1:5060"), false};
    c.server_uri = "sip:127.0.0.1:5070";
    c.controlling_uris = {"sip:conference-factory@example.com"};
    return c;
}

inline sip::Request core_message()
{
    sip::Request r;
    r.method = "MESSAGE";
    r.request_uri = "sip:bob@example.com";
    r.from_uri = "sip:alice@example.com";
    r.to_uri = "sip:bob@example.com";
    r.call_id = "call-1";
    r.content_type = "text/plain";
    r.body = "hello";
    r.asserted_identities = {"<sip:alice@example.com>"};
    r.accept_contact = {"*;+g.oma.sip-im"};
    r.source = {"127.0.0.1", 5060, "udp"};
    return r;
}

// An MSRP session offer (RFC 4975 8.1) with the given direction attribute
// line ("a=sendrecv", "a=sendonly", ...) and extra media attribute lines.
inline std::string msrp_offer(std::string_view direction = "a=sendrecv", std::string_view extra = "")
{
    return "v=0\r\no=alice 2890844526 2890844527 IN IP4 127.0.0.1\r\ns= \r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=message 7654 TCP/MSRP *\r\na=accept-types:text/plain\r\n"
           "a=path:msrp://127.0.0.1:7654/jshA7weztas;tcp\r\n" +
           std::string(direction) + "\r\n" + std::string(extra);
}

// An initial IM session INVITE as the core hands it over; `sdp` must outlive it.
inline sip::Request core_invite(const std::string &sdp)
{
    sip::Request r = core_message();
    r.method = "INVITE";
    r.contact = "<sip:alice@127.0.0.1:5081>;+g.oma.sip-im";
    r.content_type = "application/sdp";
    r.body = sdp;
    return r;
}

}  // namespace im::test

#pragma once
// A MESSAGE as the SIP/IP core hands it to the IM server, to vary per test.
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

}  // namespace im::test

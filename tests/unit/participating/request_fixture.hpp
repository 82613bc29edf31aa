#pragma once
// A MESSAGE as the SIP/IP core hands it to the IM server, to vary per test.
#include "im/sip/request.hpp"

namespace im::test {

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

#pragma once
// A read-only view of the parts of a SIP request the IM procedures look at.
// The module glue fills it from Kamailio's sip_msg_t; tests fill it by hand.
// Views point into the host's message buffer and live as long as the request.
#include <optional>
#include <string_view>
#include <vector>

namespace im::sip {

struct Source {
    std::string_view ip;         // textual address the request came from
    int port = 0;
    std::string_view transport;  // "udp", "tcp", "tls", "sctp", "ws", "wss"
};

struct Request {
    std::string_view method;
    std::string_view request_uri;
    std::string_view from_uri;
    std::string_view to_uri;
    std::string_view to_tag;        // empty on an initial request
    std::string_view call_id;
    std::string_view contact;       // raw first Contact header body
    std::string_view content_type;
    std::string_view body;
    std::string_view privacy;       // raw Privacy header body
    std::optional<std::string_view> expires;         // raw Expires header body
    std::string_view event;                          // raw Event header body
    std::string_view sip_if_match;                   // SIP-If-Match (RFC 3903), empty when absent
    std::string_view date;                           // raw Date header body, empty when absent
    std::vector<std::string_view> asserted_identities;  // P-Asserted-Identity bodies
    std::vector<std::string_view> accept_contact;       // Accept-Contact bodies
    Source source;

    bool initial() const { return to_tag.empty(); }
};

}  // namespace im::sip

#pragma once
// Spec 5.2: the Authenticated Originator's IM Address.
#include <optional>
#include <string>

#include "im/net/trusted_peers.hpp"
#include "im/sip/request.hpp"
#include "im/verdict.hpp"

namespace im {

struct IdentityPolicy {
    net::TrustedPeers trusted_core;   // only these may assert an identity
    bool accept_from_header = false;  // From carries the identity when no PAI (5.2 "MAY")
};

struct Originator {
    std::string aor;                 // e.g. "sip:alice@example.com" (or tel:)
    bool privacy_requested = false;  // Privacy: id / header / user (RFC 3323, 3325)
};

struct OriginatorResult {
    Verdict verdict;                       // 403 when no identity can be had
    std::optional<Originator> originator;  // set when verdict proceeds
};

OriginatorResult authenticate_originator(const sip::Request &request, const IdentityPolicy &policy);

// True when the Privacy header asks to hide the user's identity.
bool privacy_requested(std::string_view privacy_header);

}  // namespace im

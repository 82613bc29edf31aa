#pragma once
// The SDP offer of an IM session request (spec 6.2.3.1 step 4, 6.2.3.3,
// 6.2.7.2, 9.1.1.2): what kind of session it asks for, and whether its media
// parameters are acceptable to the operator policy.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "im/sip/request.hpp"
#include "im/store/access_rule_store.hpp"
#include "im/store/policy_store.hpp"
#include "im/verdict.hpp"

namespace im::participating {

// 6.2.3.1 step 4: a=sendrecv is an IM session (a conversation); a=sendonly is
// a pager-mode session, i.e. Large Message Mode (9.1.1.2 step 5); a=recvonly
// retrieves deferred messages or history (10.1.1, 11.1) from a service.
enum class SessionKind { conversation, large_message, retrieval };

struct SessionOffer {
    SessionKind kind = SessionKind::conversation;
    // Content types the offer says it will carry: a=accept-types and
    // a=accept-wrapped-types of the MSRP media, or the a=file-selector type.
    std::vector<std::string> content_types;
    // The announced size of a Large Message: a=filesize (CR 004), a=filelength
    // (9.2.2), a=file-size, or the size of a=file-selector (RFC 5547).
    std::optional<std::int64_t> message_size;
};

struct OfferResult {
    Verdict verdict;  // proceed() when `offer` holds one
    std::optional<SessionOffer> offer;
};

// Reads the SDP offer of an INVITE or UPDATE: application/sdp, or the one
// application/sdp part of a multipart/mixed body (a Large Message to a
// URI-list, 9.1.1.2 step 3d). Answers
//   415 for a body of another type (with Accept: application/sdp),
//   400 for an SDP that does not parse,
//   488 for an initial INVITE without an offer, an offer without MSRP media
//       or with other media (Warning 304), or an inactive MSRP stream on an
//       initial request (Warning 399).
// A request without a body in a dialog carries no offer: nullopt, proceed.
OfferResult read_session_offer(const sip::Request &request);

// 6.2.3.3 step 1 / 6.2.7.2 step 2: the media parameters against the served
// user's operator policy, 488 Not Acceptable Here with a Warning otherwise:
// every offered content type must be allowed (message/cpim and
// multipart/mixed only wrap, what they wrap is in accept-wrapped-types;
// "*" needs a policy that allows any type) and a Large Message no larger than
// the policy's maximum size.
Verdict require_media_policy(const SessionOffer &offer, const store::EffectivePolicy &policy);

// 6.2.3.3 step 1 / 6.2.7.2 step 2: a re-INVITE or UPDATE in an IM session
// the server proxies. An offer in it (hold, a=inactive, included) must be
// MSRP media the served user's policy accepts: 488 otherwise; a request
// without an offer passes.
Verdict check_session_modification(const sip::Request &request, const store::EffectivePolicy &policy);

// Barring and access lists read a Large Message session as pager mode
// (6.2.3.1 step 4b), any other session as a session.
store::AccessKind access_kind_of(const SessionOffer &offer);

}  // namespace im::participating

#pragma once
// The policy steps of the Participating Function, one function and one
// reply code each, in the order the spec lists them.
#include <cstdint>
#include <optional>
#include <string_view>

#include "im/identity.hpp"
#include "im/participating/settings_defaults.hpp"
#include "im/sip/request.hpp"
#include "im/store/access_rule_store.hpp"
#include "im/store/policy_store.hpp"
#include "im/verdict.hpp"

namespace im::participating {

// 6.2.2.1 step 2: the user may use IM (a provisioned policy), else 403.
Verdict require_im_allowed(const store::EffectivePolicy &policy);

// 6.2.2.1 step 3 / 6.2.6.1 step 3: message size and content type, else 403
// with a Warning that says which.
Verdict require_policy_conformance(const sip::Request &request, const store::EffectivePolicy &policy);

// 6.2.4.1 step 2: anonymity requested but not allowed, 403.
Verdict require_anonymity_allowed(const Originator &originator, const store::EffectivePolicy &policy);

// 6.2.4.5: a Group Advertisement (application/vnd.IM.group-advertisement+xml,
// the body or the message part of a URI-list MESSAGE) is never anonymous and
// needs the user's group_advertisement_allowed policy: 403 otherwise.
Verdict require_group_advertisement_allowed(const sip::Request &request, const Originator &originator,
                                            const store::EffectivePolicy &policy);

// 6.2.4.1 step 3 / 6.2.6.1 step 4 (RFC 3428): an Expires header must be a
// number of seconds (400 when it is not). With a Date header, the message
// expired at Date + Expires: past that `now`, 408 Request Timeout (also 400
// for a Date that is no SIP date). Without Date, the time starts on arrival,
// so the message is still valid.
Verdict require_valid_expires(const sip::Request &request, std::int64_t now);

// Pager mode (MESSAGE) or session (INVITE) for barring and access lists.
store::AccessKind access_kind_of(const sip::Request &request);

// 6.2.6.1 step 1: incoming barring (isb for sessions, ipab for pager mode):
// 603 Decline, RFC 3261 21.6.2 (the user explicitly does not want it).
Verdict require_not_barred(store::AccessKind kind, const EffectiveSettings &settings);

// 6.2.6.1 step 2: the receiving user's access list rejects the originator: 403.
Verdict require_access_allowed(store::AccessRuleStore &rules, const std::string &served,
                               const Originator &originator, store::AccessKind kind);
// The same for the list's decision already made (AccessRuleStore::decide).
Verdict require_access_allowed(std::optional<store::AccessAction> decision);

}  // namespace im::participating

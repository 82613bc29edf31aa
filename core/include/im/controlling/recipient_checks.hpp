#pragma once
// 8.3.2.1: every copy of a group MESSAGE passes its recipient's terminating
// Participating Function (barring, access lists, policy, deferral). For
// recipients served by this IM server the checks run here, before sending,
// so a copy crosses the core once instead of visiting this server again.
#include <string>

#include "im/action.hpp"
#include "im/controlling/pager_exploder.hpp"
#include "im/identity.hpp"
#include "im/sip/request.hpp"

namespace im::controlling {

// The copy as its recipient's terminating function sees it. The views point
// into `copy` and `storage`, which must outlive the request.
struct CopyRequestStorage {
    std::string asserted_identity;
};
sip::Request terminating_view(const OutgoingMessage &copy, const Originator &originator, CopyRequestStorage &storage);

enum class CopyFate {
    deliver,       // checks passed here: send it straight to the recipient
    check_remote,  // recipient not served here: send it through the core's terminating filter
    refuse,        // refused by the recipient's checks (barred, offline, ...): not sent
};

struct CheckedCopy {
    CopyFate fate;
    OutgoingMessage message;  // with the terminating function's changes when delivered
    Verdict refusal;          // why, when refused
};

// Applies the terminating function's answer for one copy: a forward becomes
// `deliver` (its Request-URI and headers applied), 404 "no such user here"
// becomes `check_remote`, any other reply `refuse`.
CheckedCopy apply_terminating_verdict(OutgoingMessage copy, const Action &verdict);

// The refusal of apply_terminating_verdict(): 404 "no such user here"
// becomes `check_remote`, any other `refuse`.
CheckedCopy refuse_checked(OutgoingMessage copy, Verdict refusal);

// The forward of apply_terminating_verdict() from the answer's text as the
// C bridge carries it, without converting the whole answer: request_uri
// replaces the copy's when not empty, header_block ("Name: value\r\n"
// lines) is added to its headers.
CheckedCopy deliver_checked(OutgoingMessage copy, std::string_view request_uri, std::string_view header_block);

}  // namespace im::controlling

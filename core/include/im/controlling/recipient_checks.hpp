#pragma once
// 8.3.2.1: every copy of a group MESSAGE passes its recipient's terminating
// Participating Function (barring, access lists, policy, deferral). For
// recipients served by this IM server the checks run here, before sending,
// so a copy crosses the core once instead of visiting this server again.
#include <string>
#include <string_view>

#include "im/action.hpp"
#include "im/controlling/pager_exploder.hpp"
#include "im/identity.hpp"
#include "im/sip/request.hpp"
#include "im_bridge.h"

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

// What becomes of one copy once its recipient's checks answered: views into
// the copy and the answer, valid while both are.
struct CheckedCopy {
    CopyFate fate;
    std::string_view request_uri;    // where it goes: the copy's, or the one the checks gave
    std::string_view extra_headers;  // the terminating function's header block ("Name: value\r\n" lines), when delivered
    Verdict refusal;                 // why, when refused
};

// A copy not checked here: it goes through the core's terminating filter.
CheckedCopy unchecked(const OutgoingMessage &copy);

// The terminating function let it through: request_uri replaces the copy's
// when not empty, header_block is added to its headers.
CheckedCopy deliver_checked(const OutgoingMessage &copy, std::string_view request_uri, std::string_view header_block);

// The terminating function refused it: 404 "no such user here" becomes
// `check_remote`, any other refusal `refuse`.
CheckedCopy refuse_checked(const OutgoingMessage &copy, Verdict refusal);

// The answer as the C bridge carries it (im_request_checks_t.check_copies):
// deliver_checked() when it lets the copy through, else refuse_checked().
CheckedCopy checked_copy(const OutgoingMessage &copy, const im_copy_verdict_t &verdict);

}  // namespace im::controlling

#pragma once
// Checks shared by the originating and terminating procedures.
#include "im/sip/request.hpp"
#include "im/verdict.hpp"

namespace im::participating {

// Step 1 of 6.2.2.1 and 6.2.8.4: the IM feature tag in Accept-Contact, else 403.
Verdict require_im_feature_tag(const sip::Request &request);

}  // namespace im::participating

#include "im/participating/steps.hpp"

#include "im/sip/feature_tag.hpp"
#include "im/version.hpp"

namespace im::participating {

Verdict require_im_feature_tag(const sip::Request &request)
{
    if (sip::accept_contact_has(request.accept_contact, kImFeatureTag)) return Verdict::next();
    return Verdict::reject(Rejection::feature_tag, 403, "Forbidden", "399 IM-serv \"Accept-Contact lacks the IM feature tag +g.oma.sip-im\"");
}

}  // namespace im::participating

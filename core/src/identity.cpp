#include "im/identity.hpp"

#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"

namespace im {

bool privacy_requested(std::string_view privacy_header)
{
    for (std::string_view value : sip::split_outside_quotes(privacy_header, ';')) {
        if (sip::iequals(value, "id") || sip::iequals(value, "header") || sip::iequals(value, "user")) return true;
    }
    return false;
}

OriginatorResult authenticate_originator(const sip::Request &request, const IdentityPolicy &policy)
{
    const bool from_core = policy.trusted_core.contains(request.source.ip, request.source.port);
    std::optional<std::string> aor;
    if (!request.asserted_identities.empty()) {
        // RFC 3325: an identity asserted from outside the trust domain is worthless.
        if (!from_core)
            return {Verdict::reject(Rejection::identity, 403, "Forbidden", "399 IM-serv \"P-Asserted-Identity not accepted from this host\""), {}};
        for (std::string_view value : request.asserted_identities) {
            // Several PAI values are allowed (one sip:, one tel:); prefer the SIP URI.
            for (std::string_view item : sip::split_outside_quotes(value, ',')) {
                auto candidate = sip::aor_of(item);
                if (candidate && (!aor || aor->rfind("tel:", 0) == 0)) aor = std::move(candidate);
            }
        }
    } else if (policy.accept_from_header && from_core) {
        aor = sip::aor_of(request.from_uri);
    }
    if (!aor)
        return {Verdict::reject(Rejection::identity, 403, "Forbidden", "399 IM-serv \"No Authenticated Originator's IM Address\""), {}};
    return {Verdict::next(), Originator{std::move(*aor), privacy_requested(request.privacy)}};
}

}  // namespace im

#pragma once
// Caller preferences (RFC 3841): is a feature tag present in Accept-Contact?
#include <span>
#include <string_view>

namespace im::sip {

// True when any ac-value of any of the Accept-Contact header bodies carries
// the feature parameter `tag` (e.g. "+g.oma.sip-im"), with or without a value.
bool accept_contact_has(std::span<const std::string_view> accept_contact_bodies, std::string_view tag);

}  // namespace im::sip

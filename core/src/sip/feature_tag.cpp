#include "im/sip/feature_tag.hpp"

#include "im/sip/text.hpp"

namespace im::sip {

bool accept_contact_has(std::span<const std::string_view> bodies, std::string_view tag)
{
    for (std::string_view body : bodies) {
        for (std::string_view ac_value : split_outside_quotes(body, ',')) {
            auto params = split_outside_quotes(ac_value, ';');
            // params[0] is "*" (or a legacy name-addr); feature params follow.
            for (std::size_t i = 1; i < params.size(); ++i) {
                std::string_view name = trim(params[i].substr(0, params[i].find('=')));
                if (iequals(name, tag)) return true;
            }
        }
    }
    return false;
}

}  // namespace im::sip

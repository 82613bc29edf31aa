#include "im/store/policy_store.hpp"

#include <algorithm>

#include "im/sip/text.hpp"
#include "im/store/store_error.hpp"

namespace im::store {

namespace {

// RFC 2045 token characters: printable ASCII except space and tspecials.
bool is_token(std::string_view text)
{
    constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";
    return !text.empty() && std::ranges::all_of(text, [&](char c) {
        return c > ' ' && c < 0x7f && kTspecials.find(c) == std::string_view::npos;
    });
}

struct MediaType {
    std::string_view type;
    std::string_view subtype;
};

// "type/subtype" with any parameters and surrounding blanks dropped.
std::optional<MediaType> parse_media_type(std::string_view content_type)
{
    const std::string_view bare = sip::trim(content_type.substr(0, content_type.find(';')));
    const auto slash = bare.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    const MediaType media{bare.substr(0, slash), bare.substr(slash + 1)};
    if (!is_token(media.type) || !is_token(media.subtype)) return std::nullopt;
    return media;
}

bool range_matches(std::string_view range, const MediaType &media)
{
    const auto parsed = parse_media_type(range);
    if (!parsed) return false;
    if (parsed->type == "*") return parsed->subtype == "*";
    if (!sip::iequals(parsed->type, media.type)) return false;
    return parsed->subtype == "*" || sip::iequals(parsed->subtype, media.subtype);
}

}  // namespace

EffectivePolicy combine_policies(const std::optional<Policy> &global_row, const std::optional<Policy> &user_row)
{
    EffectivePolicy combined;
    for (const std::optional<Policy> *row : {&global_row, &user_row}) {  // the more specific applies last
        if (!*row) continue;
        combined.im_allowed = (*row)->im_allowed;
        combined.anonymity_allowed = (*row)->anonymity_allowed;
        combined.group_advertisement_allowed = (*row)->group_advertisement_allowed;
        if ((*row)->max_size) combined.max_size = (*row)->max_size;
        if ((*row)->content_types) combined.content_types = (*row)->content_types;
    }
    return combined;
}

bool content_type_allowed(const EffectivePolicy &policy, std::string_view content_type)
{
    if (!policy.content_types) return true;
    const auto media = parse_media_type(content_type);
    if (!media) return std::ranges::find(*policy.content_types, "*/*") != policy.content_types->end();
    return std::ranges::any_of(*policy.content_types,
                               [&](const std::string &range) { return range_matches(range, *media); });
}

bool size_allowed(const EffectivePolicy &policy, std::int64_t size)
{
    return !policy.max_size || size <= *policy.max_size;
}

bool is_media_range(std::string_view text)
{
    if (text.find(';') != std::string_view::npos || sip::trim(text) != text) return false;
    const auto media = parse_media_type(text);
    return media && (media->type != "*" || media->subtype == "*");
}

void require_storable(const Policy &policy)
{
    if (policy.max_size && *policy.max_size < 0)
        throw StoreError("policy: max_size must not be negative, got " + std::to_string(*policy.max_size));
    if (!policy.content_types) return;
    for (const std::string &range : *policy.content_types)
        if (!is_media_range(range))
            throw StoreError("policy: content type '" + range + "' is not a media range like text/plain or text/*");
}

}  // namespace im::store

#include "im/participating/session_media.hpp"

#include <algorithm>
#include <charconv>

#include "im/sip/sdp.hpp"
#include "im/sip/text.hpp"
#include "im/xml/multipart.hpp"

namespace im::participating {
namespace {

Verdict not_acceptable(std::string warning)
{
    return Verdict::reject(Rejection::media, 488, "Not Acceptable Here", std::move(warning));
}

std::optional<std::int64_t> size_of(std::string_view text)
{
    text = sip::trim(text);
    std::int64_t size = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), size);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || size < 0) return std::nullopt;
    return size;
}

// "name:\"x\" type:image/jpeg size:32349" (RFC 5547 5): one selector's value.
std::optional<std::string_view> selector(std::string_view file_selector, std::string_view name)
{
    for (auto item : sip::split_outside_quotes(file_selector, ' '))
        if (item.size() > name.size() && item.substr(0, name.size()) == name && item[name.size()] == ':')
            return item.substr(name.size() + 1);
    return std::nullopt;
}

void add_types(std::vector<std::string> &out, std::string_view list)
{
    for (std::size_t i = 0; i < list.size();) {
        while (i < list.size() && list[i] == ' ') ++i;
        const std::size_t start = i;
        while (i < list.size() && list[i] != ' ') ++i;
        if (i > start) out.emplace_back(list.substr(start, i - start));
    }
}

// The application/sdp text of the request, or why there is none usable.
struct SdpBody {
    Verdict verdict;
    std::string text;
    bool present = false;
};

SdpBody sdp_body(const sip::Request &request)
{
    SdpBody out;
    if (sip::trim(request.body).empty()) return out;
    const std::string type = xml::media_type_of(request.content_type);
    if (type == "application/sdp") {
        out.text = std::string(request.body);
        out.present = true;
        return out;
    }
    if (type == "multipart/mixed") {
        auto parts = xml::split_multipart(request.content_type, request.body);
        if (!parts.ok()) {
            out.verdict = Verdict::reject(Rejection::malformed, 400, "Bad Request - " + parts.error().reason);
            return out;
        }
        for (const auto &part : parts.value())
            if (part.media_type() == "application/sdp") {
                out.text = part.body;
                out.present = true;
                return out;
            }
    }
    out.verdict = Verdict::reject(Rejection::malformed, 415, "Unsupported Media Type",
                                  "399 IM-serv \"An IM session is described in application/sdp\"");
    return out;
}

}  // namespace

OfferResult read_session_offer(const sip::Request &request)
{
    SdpBody body = sdp_body(request);
    if (!body.verdict.proceed()) return {std::move(body.verdict), std::nullopt};
    const bool initial_invite = request.initial() && sip::iequals(request.method, "INVITE");
    if (!body.present) {
        if (!initial_invite) return {Verdict::next(), std::nullopt};
        return {not_acceptable("399 IM-serv \"An IM session INVITE must carry an SDP offer (6.2.3.1 step 4)\""), std::nullopt};
    }
    auto sdp = sip::parse_sdp(body.text);
    if (!sdp.ok()) return {Verdict::reject(Rejection::malformed, 400, "Bad Request - " + sdp.error().reason), std::nullopt};

    const sip::SdpMedia *msrp = nullptr;
    for (const auto &m : sdp->media) {
        if (m.port == 0) continue;  // declined streams carry nothing
        if (!m.is_msrp())
            return {not_acceptable("304 IM-serv \"Media type not available: only MSRP message media (" +
                                   std::string(m.media) + " " + std::string(m.protocol) + " offered)\""),
                    std::nullopt};
        if (msrp == nullptr) msrp = &m;
    }
    if (msrp == nullptr) return {not_acceptable("304 IM-serv \"The offer has no MSRP message media\""), std::nullopt};

    SessionOffer offer;
    switch (sdp->direction_of(*msrp)) {
    case sip::MediaDirection::sendrecv: offer.kind = SessionKind::conversation; break;
    case sip::MediaDirection::sendonly: offer.kind = SessionKind::large_message; break;
    case sip::MediaDirection::recvonly: offer.kind = SessionKind::retrieval; break;
    case sip::MediaDirection::inactive:
        if (initial_invite) return {not_acceptable("399 IM-serv \"An IM session cannot start inactive\""), std::nullopt};
        break;
    }
    for (const auto *m = msrp; m != sdp->media.data() + sdp->media.size(); ++m) {
        if (m->port == 0) continue;
        for (const auto &a : m->attributes) {
            if (a.name == "accept-types" || a.name == "accept-wrapped-types") {
                add_types(offer.content_types, a.value);
            } else if (a.name == "file-selector") {
                if (auto type = selector(a.value, "type")) offer.content_types.emplace_back(type->substr(0, type->find(';')));
                if (auto size = selector(a.value, "size")) offer.message_size = size_of(*size);
            } else if (a.name == "filesize" || a.name == "filelength" || a.name == "file-size") {
                offer.message_size = size_of(a.value);
            }
        }
    }
    return {Verdict::next(), std::move(offer)};
}

Verdict require_media_policy(const SessionOffer &offer, const store::EffectivePolicy &policy)
{
    for (const auto &type : offer.content_types) {
        const std::string lower = sip::to_lower(type);
        if (lower == "message/cpim" || lower == "multipart/mixed") continue;  // wrappers
        const bool allowed =
            lower == "*" ? !policy.content_types || std::ranges::find(*policy.content_types, "*/*") != policy.content_types->end()
                         : store::content_type_allowed(policy, type);
        if (!allowed)
            return not_acceptable("305 IM-serv \"Incompatible media format: content type " + type +
                                  " is not allowed\"");
    }
    if (offer.kind == SessionKind::large_message && offer.message_size && !store::size_allowed(policy, *offer.message_size))
        return not_acceptable("399 IM-serv \"Message size " + std::to_string(*offer.message_size) +
                              " exceeds the allowed " + std::to_string(*policy.max_size) + " bytes\"");
    return Verdict::next();
}

Verdict check_session_modification(const sip::Request &request, const store::EffectivePolicy &policy)
{
    OfferResult offer = read_session_offer(request);
    if (!offer.verdict.proceed() || !offer.offer) return std::move(offer.verdict);
    return require_media_policy(*offer.offer, policy);
}

store::AccessKind access_kind_of(const SessionOffer &offer)
{
    return offer.kind == SessionKind::large_message ? store::AccessKind::pager : store::AccessKind::session;
}

}  // namespace im::participating

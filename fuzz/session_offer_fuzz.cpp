// The SDP offer of an IM session from arbitrary bytes: the first line is the
// Content-Type header value, the rest the body. Parses the SDP alone, then
// reads it as the offer of an initial INVITE and of a re-INVITE and checks it
// against a restrictive policy, and anchors it at a relay path (the media
// path): what comes out must parse, keep its media count, and anchor to
// itself again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "im/participating/media_anchor.hpp"
#include "im/participating/session_media.hpp"
#include "im/sip/sdp.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    const auto newline = input.find('\n');
    const std::string_view content_type = input.substr(0, newline);
    const std::string_view body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    im::sip::SdpLimits limits;
    auto sdp = im::sip::parse_sdp(body, limits);
    if (sdp.ok()) {
        if (sdp->media.size() > limits.max_media) std::abort();
        for (const auto &m : sdp->media) {
            if (m.port > 65535 || m.formats.empty()) std::abort();
            (void)sdp->direction_of(m);
        }
    }

    im::sip::Request request;
    request.method = "INVITE";
    request.content_type = content_type;
    request.body = body;
    im::store::EffectivePolicy policy;
    policy.content_types = std::vector<std::string>{"text/*"};
    policy.max_size = 1000;
    auto offer = im::participating::read_session_offer(request);
    if (offer.verdict.proceed() != offer.offer.has_value()) std::abort();
    if (offer.offer) (void)im::participating::require_media_policy(*offer.offer, policy);
    request.to_tag = "t";
    (void)im::participating::check_session_modification(request, policy);

    constexpr std::string_view relay_path = "msrp://127.0.0.1:2855/fuzzSide;tcp";
    auto edit = im::participating::anchor_session_body(content_type, body, relay_path);
    if (edit.ok() && edit.value()) {
        const auto &e = *edit.value();
        if (e.offset + e.length > body.size()) std::abort();
        auto anchored = im::sip::parse_sdp(e.text, limits);
        if (!anchored.ok()) std::abort();
        auto original = im::sip::parse_sdp(body.substr(e.offset, e.length), limits);
        if (!original.ok() || original->media.size() != anchored->media.size()) std::abort();
        auto again = im::participating::anchor_sdp(e.text, relay_path);
        if (!again.ok() || again.value() != e.text) std::abort();
    }
    return 0;
}

#include "im/sip/sdp.hpp"

#include <charconv>
#include <string>

#include "im/sip/text.hpp"

namespace im::sip {
namespace {

using xml::ErrorKind;
using xml::make_error;

SdpAttribute attribute_of(std::string_view value)
{
    const auto colon = value.find(':');
    if (colon == std::string_view::npos) return {value, {}};
    return {value.substr(0, colon), value.substr(colon + 1)};
}

// "<port>" or "<port>/<number of ports>" (RFC 4566 5.14).
std::optional<std::uint32_t> port_of(std::string_view text)
{
    auto number = [](std::string_view digits) -> std::optional<std::uint32_t> {
        std::uint32_t n = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
        if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
        return n;
    };
    const auto slash = text.find('/');
    const auto port = number(text.substr(0, slash));
    if (!port || *port > 65535) return std::nullopt;
    if (slash != std::string_view::npos && !number(text.substr(slash + 1))) return std::nullopt;
    return port;
}

std::optional<MediaDirection> direction_attribute(const std::vector<SdpAttribute> &attributes)
{
    for (const auto &a : attributes) {
        if (!a.value.empty()) continue;
        if (a.name == "sendrecv") return MediaDirection::sendrecv;
        if (a.name == "sendonly") return MediaDirection::sendonly;
        if (a.name == "recvonly") return MediaDirection::recvonly;
        if (a.name == "inactive") return MediaDirection::inactive;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string_view> SdpMedia::attribute(std::string_view name) const
{
    for (const auto &a : attributes)
        if (a.name == name) return a.value;
    return std::nullopt;
}

bool SdpMedia::is_msrp() const
{
    return media == "message" && (iequals(protocol, "TCP/MSRP") || iequals(protocol, "TCP/TLS/MSRP"));
}

MediaDirection SessionDescription::direction_of(const SdpMedia &m) const
{
    if (auto own = direction_attribute(m.attributes)) return *own;
    return direction_attribute(session_attributes).value_or(MediaDirection::sendrecv);
}

xml::Result<SessionDescription> parse_sdp(std::string_view text, const SdpLimits &limits)
{
    if (text.size() > limits.max_bytes)
        return make_error(ErrorKind::too_large, "SDP of " + std::to_string(text.size()) + " bytes");
    SessionDescription sd;
    std::size_t lines = 0;
    bool first = true;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;  // a trailing blank line is common; tolerate it anywhere
        if (++lines > limits.max_lines) return make_error(ErrorKind::limit_exceeded, "SDP has too many lines");
        if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z')
            return make_error(ErrorKind::malformed, "SDP line is not <type>=<value>: " + std::string(line));
        const char type = line[0];
        const std::string_view value = line.substr(2);
        if (first) {
            if (type != 'v' || trim(value) != "0") return make_error(ErrorKind::malformed, "SDP does not start with v=0");
            first = false;
            continue;
        }
        if (type == 'm') {
            if (sd.media.size() == limits.max_media) return make_error(ErrorKind::limit_exceeded, "SDP has too many media");
            const auto w = words(value);
            if (w.size() < 4) return make_error(ErrorKind::malformed, "SDP m= line needs media, port, protocol, format");
            const auto port = port_of(w[1]);
            if (!port) return make_error(ErrorKind::malformed, "SDP m= line has a bad port: " + std::string(w[1]));
            SdpMedia m;
            m.media = w[0];
            m.port = *port;
            m.protocol = w[2];
            m.formats.assign(w.begin() + 3, w.end());
            sd.media.push_back(std::move(m));
        } else if (type == 'a') {
            auto &attributes = sd.media.empty() ? sd.session_attributes : sd.media.back().attributes;
            attributes.push_back(attribute_of(value));
        }
    }
    if (first) return make_error(ErrorKind::malformed, "empty SDP");
    return sd;
}

}  // namespace im::sip

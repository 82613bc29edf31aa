#include "msrp_relay/cpim.hpp"

#include "im/msrp/syntax.hpp"

namespace im::msrp_relay {
namespace {

constexpr std::string_view kCrlf = "\r\n";

using im::msrp::syntax::iequals;
using im::msrp::syntax::trim;

// "Name: value" lines up to the blank line; returns the rest after it.
std::optional<std::string_view> parse_header_block(std::string_view text, std::vector<CpimHeader> &headers)
{
    while (true) {
        std::size_t end = text.find(kCrlf);
        if (end == std::string_view::npos) return std::nullopt;
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end + kCrlf.size());
        if (line.empty()) return text;
        std::size_t colon = line.find(':');
        // RFC 3862 3.3: a header name is a token (an NS prefix "x.Name" included).
        if (colon == std::string_view::npos || !im::msrp::syntax::is_token(line.substr(0, colon))) return std::nullopt;
        headers.push_back({line.substr(0, colon), trim(line.substr(colon + 1))});
    }
}

bool stamped_by_relay(std::string_view name)
{
    return iequals(name, "From") || iequals(name, "To") || iequals(name, "DateTime");
}

void append_stamp(std::string &out, const CpimStamp &stamp)
{
    out += "From: " + cpim_address(stamp.from) + "\r\n";
    if (!stamp.to.empty()) out += "To: " + cpim_address(stamp.to) + "\r\n";
    out += "DateTime: " + stamp.date_time + "\r\n";
}

}  // namespace

std::string_view CpimMessage::payload_type() const
{
    std::vector<CpimHeader> content_headers;
    if (!parse_header_block(mime_part, content_headers)) return {};
    for (const CpimHeader &header : content_headers) {
        if (iequals(header.name, "Content-Type")) return trim(header.value.substr(0, header.value.find(';')));
    }
    return {};
}

std::optional<CpimMessage> parse_cpim(std::string_view body)
{
    CpimMessage message;
    auto rest = parse_header_block(body, message.headers);
    if (!rest) return std::nullopt;
    message.mime_part = *rest;
    return message;
}

std::string cpim_address(std::string_view identity)
{
    if (identity.find('<') != std::string_view::npos) return std::string(identity);
    return "<" + std::string(identity) + ">";
}

std::string wrap_cpim(const CpimStamp &stamp, std::string_view content_type, std::string_view payload)
{
    std::string out;
    out.reserve(payload.size() + 256);
    append_stamp(out, stamp);
    out += "\r\nContent-Type: ";
    out += content_type;
    out += "\r\n\r\n";
    out += payload;
    return out;
}

std::string restamp_cpim(const CpimMessage &message, const CpimStamp &stamp)
{
    std::string out;
    out.reserve(message.mime_part.size() + 256);
    append_stamp(out, stamp);
    for (const CpimHeader &header : message.headers) {
        if (stamped_by_relay(header.name)) continue;
        out += header.name;
        out += ": ";
        out += header.value;
        out += kCrlf;
    }
    out += kCrlf;
    out += message.mime_part;
    return out;
}

}  // namespace im::msrp_relay

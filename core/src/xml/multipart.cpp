#include "im/xml/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "im/sip/text.hpp"
#include "im/xml/resource_lists.hpp"

namespace im::xml {
namespace {

bool is_token_char(char c)
{
    // RFC 2045 token: printable ASCII except SPACE and tspecials.
    constexpr std::string_view tspecials = "()<>@,;:\\\"/[]?=";
    const auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F && tspecials.find(c) == std::string_view::npos;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// RFC 2046 5.1.1: 1 to 70 bchars, the last one not a space.
bool is_valid_boundary(std::string_view boundary)
{
    constexpr std::string_view specials = "'()+_,-./:=? ";
    if (boundary.empty() || boundary.size() > 70 || boundary.back() == ' ') return false;
    return std::all_of(boundary.begin(), boundary.end(), [&](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x80 && std::isalnum(u)) || specials.find(c) != std::string_view::npos;
    });
}

// One delimiter line found in the body.
struct Delimiter {
    std::size_t content_end;  // where the preceding part ends (its line break belongs to the delimiter)
    std::size_t next;         // first byte after the delimiter line
    bool close;               // "--boundary--"
};

class DelimiterScanner {
public:
    DelimiterScanner(std::string_view body, std::string_view boundary)
        : body_(body), dash_boundary_("--" + std::string(boundary))
    {
    }

    // The next delimiter starting at or after `from`. Only the very first one
    // may sit at the start of the body; the others follow a line break.
    std::optional<Delimiter> find(std::size_t from) const
    {
        for (std::size_t at = body_.find(dash_boundary_, from); at != std::string_view::npos;
             at = body_.find(dash_boundary_, at + 1)) {
            std::size_t content_end = at;
            if (at > 0) {
                if (body_[at - 1] != '\n') continue;
                content_end = at - 1;
                if (content_end > 0 && body_[content_end - 1] == '\r') --content_end;
            }
            if (auto delimiter = finish_line(at + dash_boundary_.size(), content_end)) return delimiter;
        }
        return std::nullopt;
    }

private:
    // After "--boundary": "--" closes; otherwise blanks then a line break, or
    // it was only text that starts like a delimiter.
    std::optional<Delimiter> finish_line(std::size_t pos, std::size_t content_end) const
    {
        if (body_.compare(pos, 2, "--") == 0) return Delimiter{content_end, pos + 2, true};
        while (pos < body_.size() && is_blank(body_[pos])) ++pos;
        if (body_.compare(pos, 2, "\r\n") == 0) return Delimiter{content_end, pos + 2, false};
        if (body_.compare(pos, 1, "\n") == 0) return Delimiter{content_end, pos + 1, false};
        return std::nullopt;
    }

    std::string_view body_;
    std::string dash_boundary_;
};

// Splits one part's bytes into its header block and body.
Result<MimePart> parse_part(std::string_view content, const MultipartLimits &limits)
{
    MimePart part;
    std::size_t pos = 0;
    while (pos < content.size()) {
        const auto newline = content.find('\n', pos);
        if (newline == std::string_view::npos)
            return make_error(ErrorKind::malformed, "part header block does not end with an empty line");
        std::string_view line = content.substr(pos, newline - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = newline + 1;
        if (line.empty()) {
            part.body = std::string(content.substr(pos));
            return part;
        }
        if (is_blank(line.front())) {  // folded continuation of the previous header
            if (part.headers.empty()) return make_error(ErrorKind::malformed, "part header starts with a blank");
            auto &value = part.headers.back().value;
            const auto more = sip::trim(line);
            if (!more.empty()) value += (value.empty() ? "" : " ") + std::string(more);
            continue;
        }
        const auto colon = line.find(':');
        const std::string_view name = colon == std::string_view::npos ? std::string_view{} : sip::trim(line.substr(0, colon));
        if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
            return make_error(ErrorKind::malformed, "bad part header line");
        if (part.headers.size() >= limits.max_headers_per_part)
            return make_error(ErrorKind::limit_exceeded,
                              "more than " + std::to_string(limits.max_headers_per_part) + " headers in a part");
        part.headers.push_back({std::string(name), std::string(sip::trim(line.substr(colon + 1)))});
    }
    return part;  // an empty part: no headers, no body
}

}  // namespace

// --- header values ----------------------------------------------------------

std::string media_type_of(std::string_view header_value)
{
    const auto type = sip::trim(header_value.substr(0, header_value.find(';')));
    const auto slash = type.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == type.size()) return {};
    const auto valid = [](std::string_view part) { return std::all_of(part.begin(), part.end(), is_token_char); };
    if (!valid(type.substr(0, slash)) || !valid(type.substr(slash + 1))) return {};
    return sip::to_lower(type);
}

std::optional<std::string> header_parameter(std::string_view value, std::string_view name)
{
    std::size_t pos = value.find(';');
    while (pos != std::string_view::npos && pos < value.size()) {
        ++pos;  // past ';'
        while (pos < value.size() && is_blank(value[pos])) ++pos;
        const std::size_t name_start = pos;
        while (pos < value.size() && is_token_char(value[pos])) ++pos;
        const auto attribute = value.substr(name_start, pos - name_start);
        while (pos < value.size() && is_blank(value[pos])) ++pos;
        if (attribute.empty() || pos >= value.size() || value[pos] != '=') return std::nullopt;
        ++pos;
        while (pos < value.size() && is_blank(value[pos])) ++pos;
        std::string parsed;
        if (pos < value.size() && value[pos] == '"') {
            ++pos;
            bool closed = false;
            while (pos < value.size()) {
                const char c = value[pos++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && pos < value.size()) parsed += value[pos++];
                else parsed += c;
            }
            if (!closed) return std::nullopt;
        } else {
            const std::size_t start = pos;
            while (pos < value.size() && is_token_char(value[pos])) ++pos;
            parsed = std::string(value.substr(start, pos - start));
            if (parsed.empty()) return std::nullopt;
        }
        if (sip::iequals(attribute, name)) return parsed;
        while (pos < value.size() && is_blank(value[pos])) ++pos;
        if (pos < value.size() && value[pos] != ';') return std::nullopt;
    }
    return std::nullopt;
}

const std::string *MimePart::header(std::string_view name) const
{
    for (const auto &header : headers)
        if (sip::iequals(header.name, name)) return &header.value;
    return nullptr;
}

std::string MimePart::media_type() const
{
    const auto *value = header("Content-Type");
    return value == nullptr ? std::string("text/plain") : media_type_of(*value);
}

std::string MimePart::disposition() const
{
    const auto *value = header("Content-Disposition");
    if (value == nullptr) return {};
    return sip::to_lower(sip::trim(std::string_view(*value).substr(0, value->find(';'))));
}

// --- splitting --------------------------------------------------------------

Result<std::vector<MimePart>> split_multipart(std::string_view content_type, std::string_view body,
                                              const MultipartLimits &limits)
{
    if (body.size() > limits.max_bytes)
        return make_error(ErrorKind::too_large, "multipart body of " + std::to_string(body.size()) +
                                                    " bytes exceeds the limit of " + std::to_string(limits.max_bytes));
    if (media_type_of(content_type).rfind("multipart/", 0) != 0)
        return make_error(ErrorKind::invalid, "Content-Type is not multipart");
    const auto boundary = header_parameter(content_type, "boundary");
    if (!boundary) return make_error(ErrorKind::malformed, "multipart Content-Type without boundary parameter");
    if (!is_valid_boundary(*boundary)) return make_error(ErrorKind::malformed, "invalid multipart boundary");

    const DelimiterScanner scanner(body, *boundary);
    auto delimiter = scanner.find(0);
    if (!delimiter) return make_error(ErrorKind::malformed, "no boundary delimiter in the body");
    if (delimiter->close) return make_error(ErrorKind::invalid, "multipart body has no parts");

    std::vector<MimePart> parts;
    while (!delimiter->close) {
        const std::size_t start = delimiter->next;
        delimiter = scanner.find(start);
        if (!delimiter) return make_error(ErrorKind::malformed, "multipart body has no closing delimiter");
        if (parts.size() >= limits.max_parts)
            return make_error(ErrorKind::limit_exceeded, "more than " + std::to_string(limits.max_parts) + " parts");
        // A delimiter right after the previous one shares its line break: an empty part.
        const std::size_t end = std::max(start, delimiter->content_end);
        auto part = parse_part(body.substr(start, end - start), limits);
        if (!part) return part.error();
        parts.push_back(std::move(part).value());
    }
    return parts;
}

Result<UriListMessage> split_uri_list_message(std::string_view content_type, std::string_view body,
                                              const MultipartLimits &limits)
{
    if (media_type_of(content_type) != "multipart/mixed")
        return make_error(ErrorKind::invalid, "URI-list MESSAGE body is not multipart/mixed");
    auto parts = split_multipart(content_type, body, limits);
    if (!parts) return parts.error();

    std::optional<MimePart> recipient_list;
    std::optional<MimePart> message;
    for (auto &part : parts.value()) {
        if (part.disposition() == "recipient-list") {
            if (part.media_type() != kResourceListsContentType)
                return make_error(ErrorKind::invalid, "recipient-list part is not application/resource-lists+xml");
            if (recipient_list) return make_error(ErrorKind::invalid, "more than one recipient-list part");
            recipient_list = std::move(part);
        } else {
            if (message) return make_error(ErrorKind::invalid, "more than one message part");
            message = std::move(part);
        }
    }
    if (!recipient_list) return make_error(ErrorKind::invalid, "no recipient-list part");
    if (!message) return make_error(ErrorKind::invalid, "no message part");
    return UriListMessage{std::move(*recipient_list), std::move(*message)};
}

}  // namespace im::xml

#include "im/sip/uri.hpp"

#include <algorithm>
#include <charconv>

#include "im/sip/text.hpp"

namespace im::sip {

std::string Uri::aor() const
{
    std::string out = scheme + ":";
    if (scheme == "tel") return out + user;
    if (!user.empty()) out += user + "@";
    return out + host;
}

namespace {

// The pieces of "scheme:user@host:port;params?headers", as views into the
// text (scheme and host not yet lower-cased).
struct UriParts {
    std::string_view scheme;
    std::string_view user;
    std::string_view host;
    int port = 0;
    std::string_view params;
    bool tel = false;
};

std::optional<UriParts> split_uri(std::string_view text)
{
    text = trim(text);
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    UriParts uri;
    uri.scheme = text.substr(0, colon);
    std::string_view rest = text.substr(colon + 1);
    if (const auto q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);

    if (iequals(uri.scheme, "tel")) {
        const auto semi = rest.find(';');
        uri.tel = true;
        uri.user = rest.substr(0, semi);
        if (semi != std::string_view::npos) uri.params = rest.substr(semi);
        if (uri.user.empty()) return std::nullopt;
        return uri;
    }
    if (!iequals(uri.scheme, "sip") && !iequals(uri.scheme, "sips")) return std::nullopt;

    const auto at = rest.rfind('@', rest.find(';'));
    std::string_view hostport = rest;
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        uri.user = userinfo.substr(0, userinfo.find(':'));  // drop a password
        hostport = rest.substr(at + 1);
    }
    const auto semi = hostport.find(';');
    if (semi != std::string_view::npos) {
        uri.params = hostport.substr(semi);
        hostport = hostport.substr(0, semi);
    }
    std::string_view host = hostport;
    std::string_view port;
    if (!hostport.empty() && hostport.front() == '[') {  // IPv6 reference
        const auto close = hostport.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        host = hostport.substr(0, close + 1);
        if (close + 1 < hostport.size()) {
            if (hostport[close + 1] != ':') return std::nullopt;
            port = hostport.substr(close + 2);
        }
    } else if (const auto pc = hostport.find(':'); pc != std::string_view::npos) {
        host = hostport.substr(0, pc);
        port = hostport.substr(pc + 1);
    }
    if (host.empty()) return std::nullopt;
    if (!std::all_of(host.begin(), host.end(), [](char c) {
            return ascii_alnum(c) || c == '.' || c == '-' || c == '[' || c == ']' || c == ':' || c == '_';
        }))
        return std::nullopt;
    uri.host = host;
    if (!port.empty()) {
        int value = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc() || end != port.data() + port.size() || value <= 0 || value > 65535)
            return std::nullopt;
        uri.port = value;
    }
    return uri;
}

}  // namespace

std::optional<Uri> parse_uri(std::string_view text)
{
    const auto parts = split_uri(text);
    if (!parts) return std::nullopt;
    Uri uri;
    uri.scheme = to_lower(parts->scheme);
    uri.user = std::string(parts->user);
    if (!parts->tel) uri.host = to_lower(parts->host);
    uri.port = parts->port;
    uri.params = std::string(parts->params);
    return uri;
}

std::string_view uri_of_name_addr(std::string_view value)
{
    value = trim(value);
    // A quoted display name may itself contain '<'.
    std::size_t from = 0;
    if (!value.empty() && value.front() == '"') {
        std::size_t i = 1;
        while (i < value.size() && value[i] != '"') i += (value[i] == '\\') ? 2 : 1;
        from = std::min(i + 1, value.size());
    }
    const auto open = value.find('<', from);
    if (open != std::string_view::npos) {
        const auto close = value.find('>', open);
        if (close == std::string_view::npos) return {};
        return trim(value.substr(open + 1, close - open - 1));
    }
    // addr-spec: header parameters follow the first ';' (RFC 3261 20.10).
    return trim(value.substr(0, value.find(';')));
}

// Uri::aor() without the Uri: one string built, for every copy's recipient.
bool aor_of(std::string_view header_value, std::string &out)
{
    out.clear();
    const auto uri = split_uri(uri_of_name_addr(header_value));
    if (!uri) return false;
    out.reserve(uri->scheme.size() + 1 + uri->user.size() + 1 + uri->host.size());
    append_lower(out, uri->scheme);
    out += ':';
    if (uri->tel) {
        out.append(uri->user);
        return true;
    }
    if (!uri->user.empty()) out.append(uri->user) += '@';
    append_lower(out, uri->host);
    return true;
}

std::optional<std::string> aor_of(std::string_view header_value)
{
    std::string aor;
    if (!aor_of(header_value, aor)) return std::nullopt;
    return aor;
}

}  // namespace im::sip

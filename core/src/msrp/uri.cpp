#include "im/msrp/uri.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "im/msrp/syntax.hpp"

namespace im::msrp {
namespace {

using namespace syntax;

ParseError uri_error(std::string reason) { return ParseError{ErrorKind::malformed_uri, std::move(reason)}; }

// Position of the first byte of text in set, or text.size(). string_view's
// find_first_of calls memchr on the set for every byte of text: over every
// path of every frame that was a tenth of the relay's CPU.
std::size_t find_any(std::string_view text, std::string_view set)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        for (char c : set)
            if (text[i] == c) return i;
    }
    return text.size();
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Every '%' starts a two-hex-digit escape and every other byte satisfies allowed.
template <typename Allowed>
bool is_escaped_text(std::string_view text, Allowed allowed)
{
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            if (i + 2 >= text.size()) return false;
            if (!is_hex_digit(text[i + 1]) || !is_hex_digit(text[i + 2])) return false;
            i += 2;
        } else if (!allowed(text[i])) {
            return false;
        }
    }
    return true;
}

bool is_ipv4(std::string_view host)
{
    int parts = 0;
    while (true) {
        std::size_t dot = host.find('.');
        std::string_view part = host.substr(0, dot);
        if (part.empty() || part.size() > 3) return false;
        auto value = parse_decimal(part);
        if (!value || *value > 255) return false;
        ++parts;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
    }
    return parts == 4;
}

bool is_ip_literal(std::string_view host) { return !host.empty() && host.front() == '['; }

bool is_ipv6_text(std::string_view text)
{
    return !text.empty() && text.find(':') != std::string_view::npos &&
           std::all_of(text.begin(), text.end(), [](char c) { return is_hex_digit(c) || c == ':' || c == '.'; });
}

// The host as compared by RFC 4975 6.1: addresses by value, names without
// escapes of unreserved characters and in lower case.
std::string comparable_host(const std::string &host)
{
    std::array<unsigned char, 16> address{};
    if (is_ip_literal(host)) {
        std::string inner = host.substr(1, host.size() - 2);
        if (inet_pton(AF_INET6, inner.c_str(), address.data()) == 1)
            return "6:" + std::string(reinterpret_cast<const char *>(address.data()), 16);
    } else if (is_ipv4(host) && inet_pton(AF_INET, host.c_str(), address.data()) == 1) {
        return "4:" + std::string(reinterpret_cast<const char *>(address.data()), 4);
    }
    auto hex_value = [](char c) {
        return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
    };
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    std::string out = "n:";
    for (std::size_t i = 0; i < host.size(); ++i) {
        if (host[i] == '%' && i + 2 < host.size() && is_hex_digit(host[i + 1]) && is_hex_digit(host[i + 2])) {
            char decoded = static_cast<char>(hex_value(host[i + 1]) * 16 + hex_value(host[i + 2]));
            if (is_unreserved(decoded)) {
                out.push_back(lower(decoded));
                i += 2;
                continue;
            }
        }
        out.push_back(lower(host[i]));
    }
    return out;
}

}  // namespace

Result<Uri> parse_uri(std::string_view text)
{
    Uri uri;
    std::size_t separator = text.find("://");
    if (separator == std::string_view::npos) return uri_error("URI without \"://\"");
    std::string_view scheme = text.substr(0, separator);
    if (iequals(scheme, "msrps")) uri.secure = true;
    else if (!iequals(scheme, "msrp")) return uri_error("scheme is not msrp or msrps");
    std::string_view rest = text.substr(separator + 3);

    // '@' is legal only at the end of the userinfo, so its position is unambiguous.
    if (std::size_t at = rest.find('@'); at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        if (!is_escaped_text(userinfo, [](char c) { return is_unreserved(c) || is_sub_delim(c) || c == ':'; }))
            return uri_error("bad character in userinfo");
        if (userinfo.find(':') != std::string_view::npos) return uri_error("userinfo must not carry a password");
        uri.userinfo = std::string(userinfo);
        rest.remove_prefix(at + 1);
    }

    std::size_t host_end = 0;
    if (!rest.empty() && rest.front() == '[') {
        std::size_t close = rest.find(']');
        if (close == std::string_view::npos) return uri_error("unterminated IPv6 literal");
        if (!is_ipv6_text(rest.substr(1, close - 1))) return uri_error("bad IPv6 literal");
        host_end = close + 1;
    } else {
        host_end = find_any(rest, ":/;");
        // reg-name or IPv4address; ';' ends the authority in an MSRP URI.
        if (!is_escaped_text(rest.substr(0, host_end), [](char c) { return is_unreserved(c) || is_sub_delim(c); }))
            return uri_error("bad character in host");
    }
    if (host_end == 0) return uri_error("empty host");
    uri.host = std::string(rest.substr(0, host_end));
    rest.remove_prefix(host_end);

    if (!rest.empty() && rest.front() == ':') {
        rest.remove_prefix(1);
        std::size_t port_end = find_any(rest, "/;");
        std::string_view digits = rest.substr(0, port_end);
        auto port = digits.size() <= 5 ? parse_decimal(digits) : std::nullopt;
        if (!port || *port > 65535) return uri_error("bad port");
        uri.port = static_cast<std::uint16_t>(*port);
        rest.remove_prefix(port_end);
    }
    if (!uri.port && (is_ip_literal(uri.host) || is_ipv4(uri.host)))
        return uri_error("an IP address needs a port");  // RFC 4975 section 6

    if (!rest.empty() && rest.front() == '/') {
        rest.remove_prefix(1);
        std::size_t id_end = std::min(rest.find(';'), rest.size());
        std::string_view session_id = rest.substr(0, id_end);
        bool valid = !session_id.empty() && std::all_of(session_id.begin(), session_id.end(), [](char c) {
            return is_unreserved(c) || c == '+' || c == '=' || c == '/';
        });
        if (!valid) return uri_error("bad session-id");
        uri.session_id = std::string(session_id);
        rest.remove_prefix(id_end);
    }

    if (rest.empty() || rest.front() != ';') return uri_error("missing transport");
    rest.remove_prefix(1);
    std::size_t transport_end = std::min(rest.find(';'), rest.size());
    std::string_view transport = rest.substr(0, transport_end);
    if (transport.empty() || !std::all_of(transport.begin(), transport.end(), is_alphanum))
        return uri_error("bad transport");
    uri.transport = std::string(transport);
    rest.remove_prefix(transport_end);

    while (!rest.empty()) {
        rest.remove_prefix(1);  // the ';'
        std::size_t param_end = std::min(rest.find(';'), rest.size());
        std::string_view param = rest.substr(0, param_end);
        std::size_t equals = param.find('=');
        UriParam parsed{std::string(param.substr(0, equals)), std::nullopt};
        if (!is_token(parsed.name)) return uri_error("bad URI parameter");
        if (equals != std::string_view::npos) {
            std::string_view value = param.substr(equals + 1);
            if (!is_token(value)) return uri_error("bad URI parameter value");
            parsed.value = std::string(value);
        }
        uri.params.push_back(std::move(parsed));
        rest.remove_prefix(param_end);
    }
    return uri;
}

std::string to_string(const Uri &uri)
{
    // Appended in place: this runs for every path of every frame sent.
    std::string out;
    out.reserve(24 + uri.userinfo.size() + uri.host.size() + uri.session_id.size() + uri.transport.size());
    out += uri.secure ? "msrps://" : "msrp://";
    if (!uri.userinfo.empty()) {
        out += uri.userinfo;
        out += '@';
    }
    out += uri.host;
    if (uri.port) {
        char digits[8];
        auto [end, error] = std::to_chars(digits, digits + sizeof(digits), *uri.port);
        (void)error;  // a uint16_t always fits
        out += ':';
        out.append(digits, end);
    }
    if (!uri.session_id.empty()) {
        out += '/';
        out += uri.session_id;
    }
    out += ';';
    out += uri.transport;
    for (const UriParam &param : uri.params) {
        out += ';';
        out += param.name;
        if (param.value) {
            out += '=';
            out += *param.value;
        }
    }
    return out;
}

bool equivalent(const Uri &a, const Uri &b)
{
    return a.secure == b.secure && a.port == b.port && a.session_id == b.session_id &&
           iequals(a.transport, b.transport) && comparable_host(a.host) == comparable_host(b.host);
}

Result<Path> parse_path(std::string_view text)
{
    Path path;
    // Paths are short; room for three URIs covers a client's two-hop
    // To-Path and a relay putting itself in front of a From-Path, without a
    // reallocation for either.
    path.reserve(3);
    while (true) {
        while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
        if (text.empty()) break;
        std::size_t end = static_cast<std::size_t>(std::ranges::find_if(text, is_blank) - text.begin());
        auto uri = parse_uri(text.substr(0, end));
        if (!uri) return uri.error();
        path.push_back(std::move(uri).value());
        text.remove_prefix(end);
    }
    if (path.empty()) return ParseError{ErrorKind::malformed_header, "empty path"};
    return path;
}

std::string to_string(const Path &path)
{
    if (path.size() == 1) return to_string(path.front());
    std::string out;
    for (const Uri &uri : path) {
        if (!out.empty()) out += ' ';
        out += to_string(uri);
    }
    return out;
}

}  // namespace im::msrp

#include "im/net/trusted_peers.hpp"

#include <arpa/inet.h>

#include <charconv>

#include "im/sip/text.hpp"

namespace im::net {
namespace {

bool parse_number(std::string_view s, int min, int max, int &out)
{
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && end == s.data() + s.size() && out >= min && out <= max;
}

// Fills family and address bytes from a textual IPv4/IPv6 address.
bool parse_address(std::string_view text, int &family, std::array<unsigned char, 16> &bytes)
{
    std::string s(text);
    if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    if (inet_pton(AF_INET, s.c_str(), bytes.data()) == 1) {
        family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s.c_str(), bytes.data()) == 1) {
        family = AF_INET6;
        return true;
    }
    return false;
}

}  // namespace

std::optional<TrustedPeers> TrustedPeers::parse(std::string_view list, std::string *error)
{
    TrustedPeers peers;
    std::string normalized(list);
    for (char &c : normalized)
        if (c == ',' || c == '\t' || c == '\n') c = ' ';
    std::string_view rest = normalized;
    while (!rest.empty()) {
        const auto space = rest.find(' ');
        std::string_view item = sip::trim(rest.substr(0, space));
        rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        if (item.empty()) continue;

        Entry entry;
        entry.text = std::string(item);
        std::string_view host = item;
        std::string_view port;
        std::string_view prefix;
        if (const auto slash = host.find('/'); slash != std::string_view::npos) {
            prefix = host.substr(slash + 1);
            host = host.substr(0, slash);
        } else if (host.front() == '[') {
            const auto close = host.find(']');
            if (close != std::string_view::npos && close + 1 < host.size() && host[close + 1] == ':') {
                port = host.substr(close + 2);
                host = host.substr(0, close + 1);
            }
        } else if (host.find(':') == host.rfind(':') && host.find(':') != std::string_view::npos) {
            port = host.substr(host.find(':') + 1);  // exactly one ':' means IPv4:port
            host = host.substr(0, host.find(':'));
        }
        bool ok = parse_address(host, entry.family, entry.address);
        const int max_bits = entry.family == AF_INET ? 32 : 128;
        entry.prefix = max_bits;
        if (ok && !prefix.empty()) ok = parse_number(prefix, 0, max_bits, entry.prefix);
        if (ok && !port.empty()) ok = parse_number(port, 1, 65535, entry.port);
        if (!ok) {
            if (error) *error = "malformed trusted peer '" + std::string(item) + "'";
            return std::nullopt;
        }
        peers.entries_.push_back(std::move(entry));
    }
    return peers;
}

bool TrustedPeers::contains(std::string_view ip, int port) const
{
    int family = 0;
    std::array<unsigned char, 16> bytes{};
    if (!parse_address(ip, family, bytes)) return false;
    for (const Entry &e : entries_) {
        if (e.family != family || (e.port != 0 && e.port != port)) continue;
        const int full = e.prefix / 8;
        const int bits = e.prefix % 8;
        bool match = std::equal(bytes.begin(), bytes.begin() + full, e.address.begin());
        if (match && bits) {
            const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - bits));
            match = (bytes[full] & mask) == (e.address[full] & mask);
        }
        if (match) return true;
    }
    return false;
}

std::string TrustedPeers::describe() const
{
    std::string out;
    for (const Entry &e : entries_) out += (out.empty() ? "" : ",") + e.text;
    return out;
}

}  // namespace im::net

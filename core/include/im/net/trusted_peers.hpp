#pragma once
// The SIP/IP core addresses whose P-Asserted-Identity the IM Server believes
// (spec 5.2, RFC 3325 trust domain).
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace im::net {

class TrustedPeers {
public:
    // Entries separated by commas or spaces: "IP", "IP:PORT", "[IPv6]:PORT",
    // "IP/PREFIX". Returns nullopt and sets *error for a malformed entry.
    static std::optional<TrustedPeers> parse(std::string_view list, std::string *error = nullptr);

    bool contains(std::string_view ip, int port) const;
    bool empty() const { return entries_.empty(); }
    std::string describe() const;

private:
    struct Entry {
        int family = 0;                 // AF_INET or AF_INET6
        std::array<unsigned char, 16> address{};
        int prefix = 0;                 // bits that must match
        int port = 0;                   // 0: any port
        std::string text;
    };
    std::vector<Entry> entries_;
};

}  // namespace im::net

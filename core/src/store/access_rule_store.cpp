#include "im/store/access_rule_store.hpp"

#include "im/sip/text.hpp"
#include "im/store/store_error.hpp"

namespace im::store {

namespace {

constexpr std::string_view kAnyPeer = "*";
constexpr std::string_view kDomainWildcardPrefix = "*@";

}  // namespace

std::string_view to_string(AccessKind kind) { return kind == AccessKind::session ? "session" : "pager"; }

std::string_view to_string(AccessAction action) { return action == AccessAction::allow ? "allow" : "reject"; }

std::optional<AccessKind> parse_access_kind(std::string_view text)
{
    if (text == "session") return AccessKind::session;
    if (text == "pager") return AccessKind::pager;
    return std::nullopt;
}

std::optional<AccessAction> parse_access_action(std::string_view text)
{
    if (text == "allow") return AccessAction::allow;
    if (text == "reject") return AccessAction::reject;
    return std::nullopt;
}

std::string normalize_peer_pattern(std::string_view peer)
{
    if (peer.empty()) throw StoreError("access rule: empty peer");
    if (peer.front() != '*' || peer == kAnyPeer) return std::string(peer);
    const std::string_view domain =
        peer.starts_with(kDomainWildcardPrefix) ? peer.substr(kDomainWildcardPrefix.size()) : std::string_view{};
    if (domain.empty() || domain.find_first_of("*@") != std::string_view::npos)
        throw StoreError("access rule: peer '" + std::string(peer) +
                         "' is neither an AOR nor '*@domain' nor '*'");
    return std::string(kDomainWildcardPrefix) + sip::to_lower(domain);
}

std::vector<std::string> patterns_matching(std::string_view peer_aor)
{
    std::vector<std::string> patterns{std::string(peer_aor)};
    const auto at = peer_aor.rfind('@');
    if (at != std::string_view::npos && at + 1 < peer_aor.size())
        patterns.push_back(std::string(kDomainWildcardPrefix) + sip::to_lower(peer_aor.substr(at + 1)));
    patterns.emplace_back(kAnyPeer);
    return patterns;
}

std::optional<AccessAction> decide_among(const OwnerAccessRules &rules, std::string_view peer_aor, AccessKind kind)
{
    if (rules.empty()) return std::nullopt;  // the common case: no list at all
    for (const std::string &pattern : patterns_matching(peer_aor))
        for (const OwnerAccessRule &rule : rules)
            if (rule.kind == kind && rule.peer == pattern) return rule.action;
    return std::nullopt;
}

}  // namespace im::store

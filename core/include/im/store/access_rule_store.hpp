#pragma once
// The receiving user's access lists (spec 6.2.6.1 step 2: <allow-session> and
// <allow-pager-mode-message>), table im_access_rule.
//
// A rule's peer is an exact AOR ("sip:bob@example.com"), a domain wildcard
// ("*@example.com", any user of that domain) or "*" (anyone). Exact AORs are
// compared as given, so store and ask with normalized AORs (sip::Uri::aor());
// domains compare case-insensitively. When several rules of the owner match a
// peer, the most specific decides: exact AOR, then domain, then "*".
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace im::store {

enum class AccessKind { session, pager };
enum class AccessAction { allow, reject };

// The spellings of the table's kind and action columns.
std::string_view to_string(AccessKind kind);
std::string_view to_string(AccessAction action);
std::optional<AccessKind> parse_access_kind(std::string_view text);
std::optional<AccessAction> parse_access_action(std::string_view text);

struct AccessRule {
    std::string owner;  // the receiving user's AOR
    std::string peer;   // exact AOR, "*@domain" or "*"
    AccessKind kind;
    AccessAction action;

    bool operator==(const AccessRule &) const = default;
};

// The peer pattern as stored: a domain wildcard's domain in lower case, the
// rest unchanged. Throws StoreError for an empty pattern or a misplaced '*'.
std::string normalize_peer_pattern(std::string_view peer);

// The patterns that match the AOR peer_aor, most specific first: the AOR
// itself, "*@its-domain" when it has a domain, and "*".
std::vector<std::string> patterns_matching(std::string_view peer_aor);

// One rule of an owner, as a cache keeps the owner's whole list.
struct OwnerAccessRule {
    std::string peer;  // as stored: normalize_peer_pattern
    AccessKind kind;
    AccessAction action;
};
using OwnerAccessRules = std::vector<OwnerAccessRule>;

// AccessRuleStore::decide over the owner's whole list: the first of
// peer_aor's patterns (most specific first) that one of the rules of this
// kind names decides; nullopt when none does.
std::optional<AccessAction> decide_among(const OwnerAccessRules &rules, std::string_view peer_aor, AccessKind kind);

class AccessRuleStore {
public:
    virtual ~AccessRuleStore() = default;
    // Insert the rule for (owner, peer, kind) or change its action.
    virtual void set(const std::string &owner, const std::string &peer, AccessKind kind, AccessAction action) = 0;
    // Remove the rule for (owner, peer, kind); true when there was one.
    virtual bool remove(const std::string &owner, const std::string &peer, AccessKind kind) = 0;
    // Every rule of owner, ordered by peer, then session before pager.
    virtual std::vector<AccessRule> list(const std::string &owner) = 0;
    // The action of the most specific rule of owner matching peer_aor for
    // kind; nullopt when no rule matches (the caller's default applies).
    virtual std::optional<AccessAction> decide(const std::string &owner, const std::string &peer_aor,
                                               AccessKind kind) = 0;
};

}  // namespace im::store

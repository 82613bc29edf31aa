#pragma once
// Service provider policy (spec 6.2.2.1 steps 2-3, 6.2.6.1 step 3), table
// im_policy: one row for the whole service, scope "global", and optional rows
// for single users, scope = the user's AOR.
//
// Combination rule, for the user `aor`: start from the built-in defaults (IM
// allowed, no size limit, any content type, anonymity allowed), apply the
// global row, then apply the user's row. A row sets max_size or content_types
// only when the column is not NULL (nullopt here); NULL inherits from the
// level below. im_allowed, anonymity_allowed and group_advertisement_allowed
// are NOT NULL in the schema, so a row always sets them: a user row decides both for its user, which lets
// the operator exempt a user from a global restriction as well as restrict one.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace im::store {

inline constexpr std::string_view kGlobalPolicyScope = "global";

// One row of im_policy.
struct Policy {
    bool im_allowed = true;                  // may the user send instant messages (6.2.2.1 step 2)
    std::optional<std::int64_t> max_size{};  // largest message body in bytes; nullopt inherits
    // Media ranges a message may carry: "text/plain", "text/*" or "*/*".
    // nullopt inherits; an empty list allows no content type at all.
    std::optional<std::vector<std::string>> content_types{};
    bool anonymity_allowed = true;           // may the user send anonymously
    bool group_advertisement_allowed = true; // may the user send Group Advertisements (6.2.4.5 step 2)

    bool operator==(const Policy &) const = default;
};

struct ScopedPolicy {
    std::string scope;  // "global" or a user AOR
    Policy policy;

    bool operator==(const ScopedPolicy &) const = default;
};

// The policy that applies to one user once the rows are combined.
struct EffectivePolicy {
    bool im_allowed = true;
    std::optional<std::int64_t> max_size{};                   // nullopt: no limit
    std::optional<std::vector<std::string>> content_types{};  // nullopt: any content type
    bool anonymity_allowed = true;
    bool group_advertisement_allowed = true;

    bool operator==(const EffectivePolicy &) const = default;
};

// The combination rule above, for rows already read.
EffectivePolicy combine_policies(const std::optional<Policy> &global_row, const std::optional<Policy> &user_row);

// Whether a body of this Content-Type may be sent: the media type is compared
// case-insensitively, parameters are ignored, and the policy's "type/*" and
// "*/*" ranges match any subtype and any type. A malformed type matches nothing
// unless the policy allows any type.
bool content_type_allowed(const EffectivePolicy &policy, std::string_view content_type);

// Whether a body of `size` bytes is within the policy's limit.
bool size_allowed(const EffectivePolicy &policy, std::int64_t size);

// "type/subtype", "type/*" or "*/*" made of RFC 2045 token characters.
bool is_media_range(std::string_view text);

// Throws StoreError for a policy that cannot be stored faithfully: a negative
// max_size or a content type that is no media range. Stores call it in set().
void require_storable(const Policy &policy);

class PolicyStore {
public:
    virtual ~PolicyStore() = default;
    // Insert or replace the row of scope ("global" or a user AOR).
    virtual void set(const std::string &scope, const Policy &policy) = 0;
    // Remove the row of scope; true when there was one.
    virtual bool remove(const std::string &scope) = 0;
    virtual std::optional<Policy> get(const std::string &scope) = 0;
    // Every row, ordered by scope.
    virtual std::vector<ScopedPolicy> list() = 0;
    // The policy for the user aor, by the combination rule above.
    virtual EffectivePolicy effective(const std::string &aor) = 0;
};

}  // namespace im::store

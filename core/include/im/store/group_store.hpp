#pragma once
// Pre-defined IM Groups (spec 7.2.1.3, 7.2.1.4, 7.2.2.3, 7.2.2.7-7.2.2.9 and
// 8.3 with change requests 000/002), tables im_group and im_group_member of
// sql/im_controlling-create.sql. The spec keeps these in a Group XDMS; here
// they live in our store and are managed over RPC (docs/groups.md).
//
// Group and member URIs are compared as given: store and ask with normalized
// AORs (sip::Uri::aor()).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace im::store {

inline constexpr std::string_view kOwnerRole = "owner";
inline constexpr std::string_view kParticipantRole = "participant";

// Who may do what in a group: the Group XDM authorization actions this server
// honours. The defaults open the group to its members and leave adding users
// during a session to the owner.
struct GroupRules {
    enum class Who { nobody, owner, members, anyone };
    using enum Who;

    Who may_send_pager = members;        // MESSAGE to the group identity (8.3.1.1 step 3)
    Who may_join = members;              // <join-handling> (7.2.2.9)
    Who may_initiate_session = members;  // <allow-initiate-conference> (7.2.2.3)
    Who may_add_users = owner;           // <allow-invite-users-dynamically> (7.2.2.7)
    bool invite_members = true;          // <invite-members>: invite the list when a session starts (7.2.2.3)

    bool operator==(const GroupRules &) const = default;
};

struct GroupMember {
    std::string uri;                                 // normalized AOR
    std::string nickname{};                          // "" when none; used in invitations (7.2.2.2 step 2)
    std::string role = std::string(kParticipantRole);  // "owner" or "participant"

    bool operator==(const GroupMember &) const = default;
};

struct Group {
    std::string uri;                            // normalized AOR of the group identity
    std::string display_name{};
    std::optional<int> max_participants{};      // <max-participant-count>; nullopt: no limit
    bool anonymity_allowed = false;             // <allow-anonymity>
    bool auto_release = true;                   // release when the originator leaves (7.2.2.8)
    GroupRules rules{};
    std::int64_t created_at = 0;                // seconds since the epoch; kept by update()
    std::vector<GroupMember> members{};         // ordered by uri when read back

    bool operator==(const Group &) const = default;
};

// The words of a GroupRules::Who, as in the rules text and over RPC:
// "nobody", "owner", "members", "anyone" (lower case only).
std::string_view to_string(GroupRules::Who who);
std::optional<GroupRules::Who> parse_who(std::string_view text);

// The rules column's text, version 1 (docs/groups.md):
//   v1;pager=members;join=members;initiate=members;add=owner;invite_members=1
// Items are separated by ';' and the first names the version. v1 values are
// plain words, so no escaping is needed.
std::string rules_to_text(const GroupRules &rules);
// Accepts what rules_to_text writes and text written by hand: keys in any
// order, a missing key keeps its default, blanks around items and empty items
// are ignored, and unknown keys are ignored (a later server may add rules
// without changing the version). nullopt for anything else: no or another
// version, an item without '=', a key given twice, a value that is not valid
// for its key.
std::optional<GroupRules> rules_from_text(std::string_view text);

// Whether the user `aor` is one of `who` in `group`: nobody; owner = a member
// whose role is "owner"; members = any member; anyone.
bool allowed(GroupRules::Who who, const Group &group, const std::string &aor);

// Throw StoreError for what cannot be stored faithfully: an empty URI, a
// max_participants below 1, a role other than "owner" or "participant".
// The stores call them before writing.
void require_storable(const GroupMember &member);
void require_storable_attributes(const Group &group);  // the group row only
void require_storable(const Group &group);             // the row and its members

class GroupStore {
public:
    virtual ~GroupStore() = default;
    // Insert the group and its members (a member listed twice: the last wins).
    // StoreError if a group with this uri exists.
    virtual void create(const Group &group) = 0;
    // Replace the attributes and rules of the group, keeping its members and
    // created_at; false when there is no such group.
    virtual bool update(const Group &group) = 0;
    // Remove the group with its members; true when there was one.
    virtual bool remove(const std::string &uri) = 0;
    // Whether the group exists, without reading its members (asked for every
    // originating request: is this Request-URI a group of this server?).
    virtual bool exists(const std::string &uri) = 0;
    // The group with its members ordered by uri.
    virtual std::optional<Group> find(const std::string &uri) = 0;
    // Every group, without members, ordered by uri.
    virtual std::vector<Group> list() = 0;
    // Insert the member, or replace its nickname and role; false when there is
    // no such group.
    virtual bool add_member(const std::string &group_uri, const GroupMember &member) = 0;
    // True when there was such a member.
    virtual bool remove_member(const std::string &group_uri, const std::string &member_uri) = 0;
    virtual bool is_member(const std::string &group_uri, const std::string &member_uri) = 0;
    // Ordered by uri; empty when the group has none or does not exist.
    virtual std::vector<GroupMember> members(const std::string &group_uri) = 0;
    // find() as an immutable, shareable snapshot (nullptr: no such group), for
    // readers that only look at the group, such as every group MESSAGE: a
    // caching store hands out what it holds instead of copying every member.
    // This default wraps find().
    virtual std::shared_ptr<const Group> snapshot(const std::string &uri);
};

}  // namespace im::store

#include "im/store/group_store.hpp"

#include <algorithm>

#include "im/sip/text.hpp"
#include "im/store/store_error.hpp"

namespace im::store {

namespace {

constexpr std::string_view kRulesVersion = "v1";

// Keys of the rules text, v1. Changing one breaks stored rows.
constexpr std::string_view kPagerKey = "pager";
constexpr std::string_view kJoinKey = "join";
constexpr std::string_view kInitiateKey = "initiate";
constexpr std::string_view kAddKey = "add";
constexpr std::string_view kInviteMembersKey = "invite_members";

std::optional<bool> parse_flag(std::string_view text)
{
    if (text == "1") return true;
    if (text == "0") return false;
    return std::nullopt;
}

// The next ';'-separated item of `text`, trimmed; consumes it from `text`.
std::string_view next_item(std::string_view &text)
{
    const auto semicolon = text.find(';');
    const std::string_view item = sip::trim(text.substr(0, semicolon));
    text = semicolon == std::string_view::npos ? std::string_view{} : text.substr(semicolon + 1);
    return item;
}

// Applies one key=value item; false when the value is invalid for a known key.
bool apply_rule(GroupRules &rules, std::string_view key, std::string_view value)
{
    GroupRules::Who *who = key == kPagerKey      ? &rules.may_send_pager
                           : key == kJoinKey     ? &rules.may_join
                           : key == kInitiateKey ? &rules.may_initiate_session
                           : key == kAddKey      ? &rules.may_add_users
                                                 : nullptr;
    if (who != nullptr) {
        const auto parsed = parse_who(value);
        if (parsed) *who = *parsed;
        return parsed.has_value();
    }
    if (key == kInviteMembersKey) {
        const auto parsed = parse_flag(value);
        if (parsed) rules.invite_members = *parsed;
        return parsed.has_value();
    }
    return true;  // unknown key: a later server's rule, ignored
}

const GroupMember *find_member(const Group &group, const std::string &aor)
{
    const auto found = std::ranges::find(group.members, aor, &GroupMember::uri);
    return found == group.members.end() ? nullptr : &*found;
}

}  // namespace

std::string_view to_string(GroupRules::Who who)
{
    switch (who) {
    case GroupRules::nobody: return "nobody";
    case GroupRules::owner: return "owner";
    case GroupRules::members: return "members";
    case GroupRules::anyone: return "anyone";
    }
    return "nobody";  // not reached: every enumerator is handled above
}

std::optional<GroupRules::Who> parse_who(std::string_view text)
{
    for (const GroupRules::Who who : {GroupRules::nobody, GroupRules::owner, GroupRules::members, GroupRules::anyone})
        if (text == to_string(who)) return who;
    return std::nullopt;
}

std::string rules_to_text(const GroupRules &rules)
{
    std::string text(kRulesVersion);
    const auto add = [&text](std::string_view key, std::string_view value) {
        text.append(";").append(key).append("=").append(value);
    };
    add(kPagerKey, to_string(rules.may_send_pager));
    add(kJoinKey, to_string(rules.may_join));
    add(kInitiateKey, to_string(rules.may_initiate_session));
    add(kAddKey, to_string(rules.may_add_users));
    add(kInviteMembersKey, rules.invite_members ? "1" : "0");
    return text;
}

std::optional<GroupRules> rules_from_text(std::string_view text)
{
    std::string_view version;
    while (version.empty() && !text.empty()) version = next_item(text);
    if (version != kRulesVersion) return std::nullopt;

    GroupRules rules;
    std::vector<std::string_view> seen_keys;
    while (!text.empty()) {
        const std::string_view item = next_item(text);
        if (item.empty()) continue;
        const auto equals = item.find('=');
        if (equals == std::string_view::npos) return std::nullopt;
        const std::string_view key = sip::trim(item.substr(0, equals));
        const std::string_view value = sip::trim(item.substr(equals + 1));
        if (key.empty() || std::ranges::find(seen_keys, key) != seen_keys.end()) return std::nullopt;
        seen_keys.push_back(key);
        if (!apply_rule(rules, key, value)) return std::nullopt;
    }
    return rules;
}

bool allowed(GroupRules::Who who, const Group &group, const std::string &aor)
{
    switch (who) {
    case GroupRules::nobody: return false;
    case GroupRules::owner: {
        const GroupMember *member = find_member(group, aor);
        return member != nullptr && member->role == kOwnerRole;
    }
    case GroupRules::members: return find_member(group, aor) != nullptr;
    case GroupRules::anyone: return true;
    }
    return false;
}

void require_storable(const GroupMember &member)
{
    if (member.uri.empty()) throw StoreError("group member: empty uri");
    if (member.role != kOwnerRole && member.role != kParticipantRole)
        throw StoreError("group member " + member.uri + ": role '" + member.role +
                         "' is neither 'owner' nor 'participant'");
}

void require_storable_attributes(const Group &group)
{
    if (group.uri.empty()) throw StoreError("group: empty uri");
    if (group.max_participants && *group.max_participants < 1)
        throw StoreError("group " + group.uri + ": max_participants must be at least 1");
}

void require_storable(const Group &group)
{
    require_storable_attributes(group);
    for (const GroupMember &member : group.members) require_storable(member);
}

std::shared_ptr<const Group> GroupStore::snapshot(const std::string &uri)
{
    auto group = find(uri);
    return group ? std::make_shared<const Group>(std::move(*group)) : nullptr;
}

}  // namespace im::store

#include "im/store/memory_group_store.hpp"

#include "im/store/store_error.hpp"

namespace im::store {

void MemoryGroupStore::create(const Group &group)
{
    require_storable(group);
    if (groups_.contains(group.uri)) throw StoreError("im_group: group " + group.uri + " already exists");
    StoredGroup stored{.attributes = group};
    stored.attributes.members.clear();
    for (const GroupMember &member : group.members) stored.members.insert_or_assign(member.uri, member);
    groups_.emplace(group.uri, std::move(stored));
}

bool MemoryGroupStore::update(const Group &group)
{
    require_storable_attributes(group);
    const auto found = groups_.find(group.uri);
    if (found == groups_.end()) return false;
    Group &attributes = found->second.attributes;
    const std::int64_t created_at = attributes.created_at;
    attributes = group;
    attributes.created_at = created_at;
    attributes.members.clear();
    return true;
}

bool MemoryGroupStore::remove(const std::string &uri) { return groups_.erase(uri) > 0; }

std::optional<Group> MemoryGroupStore::find(const std::string &uri)
{
    const auto found = groups_.find(uri);
    if (found == groups_.end()) return std::nullopt;
    Group group = found->second.attributes;
    group.members = members(uri);
    return group;
}

std::vector<Group> MemoryGroupStore::list()
{
    std::vector<Group> groups;
    for (const auto &[uri, stored] : groups_) groups.push_back(stored.attributes);
    return groups;
}

bool MemoryGroupStore::add_member(const std::string &group_uri, const GroupMember &member)
{
    require_storable(member);
    const auto found = groups_.find(group_uri);
    if (found == groups_.end()) return false;
    found->second.members.insert_or_assign(member.uri, member);
    return true;
}

bool MemoryGroupStore::remove_member(const std::string &group_uri, const std::string &member_uri)
{
    const auto found = groups_.find(group_uri);
    return found != groups_.end() && found->second.members.erase(member_uri) > 0;
}

bool MemoryGroupStore::is_member(const std::string &group_uri, const std::string &member_uri)
{
    const auto found = groups_.find(group_uri);
    return found != groups_.end() && found->second.members.contains(member_uri);
}

std::vector<GroupMember> MemoryGroupStore::members(const std::string &group_uri)
{
    std::vector<GroupMember> found_members;
    const auto found = groups_.find(group_uri);
    if (found == groups_.end()) return found_members;
    for (const auto &[uri, member] : found->second.members) found_members.push_back(member);
    return found_members;
}

}  // namespace im::store

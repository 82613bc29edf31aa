#include "im/store/cached_group_store.hpp"

#include <algorithm>

namespace im::store {

CachedGroupStore::CachedGroupStore(GroupStore &store, shared::SharedCounter &generation, std::size_t max_cached)
    : store_(store), groups_(RowCacheConfig{.generation = &generation, .max_rows = std::max<std::size_t>(max_cached, 1)})
{
}

void CachedGroupStore::create(const Group &group)
{
    const RowCacheWrite write(groups_);
    store_.create(group);
}

bool CachedGroupStore::update(const Group &group)
{
    const RowCacheWrite write(groups_);
    return store_.update(group);
}

bool CachedGroupStore::remove(const std::string &uri)
{
    const RowCacheWrite write(groups_);
    return store_.remove(uri);
}

bool CachedGroupStore::add_member(const std::string &group_uri, const GroupMember &member)
{
    const RowCacheWrite write(groups_);
    return store_.add_member(group_uri, member);
}

bool CachedGroupStore::remove_member(const std::string &group_uri, const std::string &member_uri)
{
    const RowCacheWrite write(groups_);
    return store_.remove_member(group_uri, member_uri);
}

std::shared_ptr<const Group> CachedGroupStore::snapshot(const std::string &uri)
{
    // Before the store is read: see the header.
    groups_.revalidate();
    if (const auto *hit = groups_.find(uri)) return *hit;
    auto group = store_.snapshot(uri);
    groups_.put(uri, group);
    return group;
}

std::optional<Group> CachedGroupStore::find(const std::string &uri)
{
    auto group = snapshot(uri);
    return group ? std::optional<Group>(*group) : std::nullopt;
}

bool CachedGroupStore::is_member(const std::string &group_uri, const std::string &member_uri)
{
    auto group = snapshot(group_uri);
    return group && std::ranges::any_of(group->members, [&](const GroupMember &m) { return m.uri == member_uri; });
}

std::vector<GroupMember> CachedGroupStore::members(const std::string &group_uri)
{
    auto group = snapshot(group_uri);
    return group ? group->members : std::vector<GroupMember>{};
}

}  // namespace im::store

#include "im/store/cached_group_store.hpp"

#include <algorithm>

namespace im::store {

class CachedGroupStore::ChangeNotice {
public:
    explicit ChangeNotice(CachedGroupStore &cache) noexcept : cache_(cache) {}
    ~ChangeNotice()
    {
        cache_.groups_.clear();
        cache_.generation_.increment();
    }
    ChangeNotice(const ChangeNotice &) = delete;
    ChangeNotice &operator=(const ChangeNotice &) = delete;

private:
    CachedGroupStore &cache_;
};

CachedGroupStore::CachedGroupStore(GroupStore &store, shared::SharedCounter &generation, std::size_t max_cached)
    : store_(store), generation_(generation), watcher_(generation), max_cached_(std::max<std::size_t>(max_cached, 1))
{
}

void CachedGroupStore::create(const Group &group)
{
    const ChangeNotice notice(*this);
    store_.create(group);
}

bool CachedGroupStore::update(const Group &group)
{
    const ChangeNotice notice(*this);
    return store_.update(group);
}

bool CachedGroupStore::remove(const std::string &uri)
{
    const ChangeNotice notice(*this);
    return store_.remove(uri);
}

bool CachedGroupStore::add_member(const std::string &group_uri, const GroupMember &member)
{
    const ChangeNotice notice(*this);
    return store_.add_member(group_uri, member);
}

bool CachedGroupStore::remove_member(const std::string &group_uri, const std::string &member_uri)
{
    const ChangeNotice notice(*this);
    return store_.remove_member(group_uri, member_uri);
}

std::shared_ptr<const Group> CachedGroupStore::snapshot(const std::string &uri)
{
    // Before the store is read: see the header.
    if (watcher_.changed()) groups_.clear();
    if (auto hit = groups_.find(uri); hit != groups_.end()) return hit->second;
    auto group = store_.snapshot(uri);
    if (groups_.size() >= max_cached_) groups_.clear();
    groups_.emplace(uri, group);
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

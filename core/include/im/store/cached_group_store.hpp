#pragma once
// The pre-defined groups without a database read per group MESSAGE: a
// per-process cache in front of the persistent GroupStore (SQLite), made
// consistent across Kamailio's forked workers by a generation counter in
// shared memory.
//
// Reads (exists, find, snapshot, members, is_member) are answered from this
// process's cache, filled from the store on a miss, absent groups included
// (every originating request asks whether its Request-URI is a group).
// Writes go to the store first and then move the shared generation; every
// process that sees the generation moved drops its whole cache before its
// next read, so a change made in any process (the RPC process) takes effect
// on the next request in every worker. The generation is read before the
// store, so a change committed while a worker reads is at worst read twice,
// never missed.
//
// The database stays the only persistent copy: the cache starts empty in
// every process. Rows changed in the database behind the server's back (not
// through a GroupStore that shares the generation) are seen after a restart.
#include <cstddef>
#include <memory>
#include <string>

#include "im/shared/shared_counter.hpp"
#include "im/store/group_store.hpp"
#include "im/store/row_cache.hpp"

namespace im::store {

class CachedGroupStore final : public GroupStore {
public:
    // A whole cache is dropped when it would hold more than max_cached groups
    // (absent ones included): a bound against Request-URIs that are no group.
    static constexpr std::size_t kDefaultMaxCached = 4096;

    // `store` and the counter must outlive this; the counter is the one every
    // process's CachedGroupStore over the same database shares.
    CachedGroupStore(GroupStore &store, shared::SharedCounter &generation, std::size_t max_cached = kDefaultMaxCached);

    void create(const Group &group) override;
    bool update(const Group &group) override;
    bool remove(const std::string &uri) override;
    bool exists(const std::string &uri) override { return snapshot(uri) != nullptr; }
    std::optional<Group> find(const std::string &uri) override;
    std::vector<Group> list() override { return store_.list(); }  // administration only: not cached
    bool add_member(const std::string &group_uri, const GroupMember &member) override;
    bool remove_member(const std::string &group_uri, const std::string &member_uri) override;
    bool is_member(const std::string &group_uri, const std::string &member_uri) override;
    std::vector<GroupMember> members(const std::string &group_uri) override;
    std::shared_ptr<const Group> snapshot(const std::string &uri) override;

    // Groups (present or absent) this process holds now; for tests.
    std::size_t cached() const noexcept { return groups_.size(); }

private:
    GroupStore &store_;
    RowCache<std::shared_ptr<const Group>> groups_;  // nullptr: known to be absent
};

}  // namespace im::store

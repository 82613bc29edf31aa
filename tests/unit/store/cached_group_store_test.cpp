// CachedGroupStore: reads served from the process's cache, and every change
// made through any process's cache seen on the next read in every other one
// (the workers of one Kamailio), which is what the shared generation is for.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>

#include "im/shared/shared_counter.hpp"
#include "im/store/cached_group_store.hpp"
#include "im/store/memory_group_store.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_group_store.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::CachedGroupStore;
using im::store::Group;
using im::store::GroupMember;
using im::store::GroupRules;
using im::store::MemoryGroupStore;
using im::store::SqliteDatabase;
using im::store::SqliteGroupStore;
using im::store::testing::Generation;
using im::store::testing::open_with_schema;
using im::store::testing::TempDir;
using im::store::testing::WorkerProcess;
using ::testing::ElementsAre;
using ::testing::Optional;

const std::string kTeam = "sip:team@example.com";
const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
const GroupMember kAliceOwner{.uri = kAlice, .nickname = "Al", .role = "owner"};
const GroupMember kBobParticipant{.uri = kBob};

// Counts the reads that reach the backing store (an in-memory one).
class CountingStore final : public im::store::GroupStore {
public:
    void create(const Group &group) override { store_.create(group); }
    bool update(const Group &group) override { return store_.update(group); }
    bool remove(const std::string &uri) override { return store_.remove(uri); }
    bool exists(const std::string &uri) override { return ++reads, store_.exists(uri); }
    std::optional<Group> find(const std::string &uri) override { return ++reads, store_.find(uri); }
    std::vector<Group> list() override { return store_.list(); }
    bool add_member(const std::string &group_uri, const GroupMember &member) override
    {
        return store_.add_member(group_uri, member);
    }
    bool remove_member(const std::string &group_uri, const std::string &member_uri) override
    {
        return store_.remove_member(group_uri, member_uri);
    }
    bool is_member(const std::string &group_uri, const std::string &member_uri) override
    {
        return ++reads, store_.is_member(group_uri, member_uri);
    }
    std::vector<GroupMember> members(const std::string &group_uri) override { return ++reads, store_.members(group_uri); }

    int reads = 0;

private:
    MemoryGroupStore store_;
};

TEST(CachedGroupStore, ReadsEachGroupOnceUntilSomethingChanges)
{
    CountingStore backing;
    Generation generation;
    CachedGroupStore cache(backing, generation.counter());
    cache.create(Group{.uri = kTeam, .created_at = 1, .members = {kAliceOwner}});
    backing.reads = 0;

    for (int i = 0; i < 5; ++i) {
        EXPECT_TRUE(cache.exists(kTeam));
        EXPECT_TRUE(cache.is_member(kTeam, kAlice));
        EXPECT_FALSE(cache.is_member(kTeam, kBob));
        EXPECT_THAT(cache.members(kTeam), ElementsAre(kAliceOwner));
        EXPECT_THAT(cache.find(kTeam), Optional(Group{.uri = kTeam, .created_at = 1, .members = {kAliceOwner}}));
        EXPECT_EQ(cache.snapshot(kTeam), cache.snapshot(kTeam));  // the same object, not a copy
    }
    EXPECT_EQ(backing.reads, 1);

    ASSERT_TRUE(cache.add_member(kTeam, kBobParticipant));
    EXPECT_TRUE(cache.is_member(kTeam, kBob));
    EXPECT_EQ(backing.reads, 2);
}

TEST(CachedGroupStore, RemembersAbsentGroupsUntilOneIsCreated)
{
    CountingStore backing;
    Generation generation;
    CachedGroupStore cache(backing, generation.counter());
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(cache.exists(kTeam));
    EXPECT_EQ(backing.reads, 1);
    cache.create(Group{.uri = kTeam});
    EXPECT_TRUE(cache.exists(kTeam));
}

TEST(CachedGroupStore, DropsTheWholeCacheAtItsBound)
{
    CountingStore backing;
    Generation generation;
    CachedGroupStore cache(backing, generation.counter(), 2);
    EXPECT_FALSE(cache.exists("sip:a@example.com"));
    EXPECT_FALSE(cache.exists("sip:b@example.com"));
    EXPECT_EQ(cache.cached(), 2u);
    EXPECT_FALSE(cache.exists("sip:c@example.com"));
    EXPECT_EQ(cache.cached(), 1u);
    EXPECT_EQ(backing.reads, 3);
}

// Two workers over one database: a change through either one's cache
// (every kind of write) shows in the other's next read.
TEST(CachedGroupStore, AChangeInOneWorkerShowsInTheOthersNextRead)
{
    MemoryGroupStore database;
    Generation generation;
    CachedGroupStore rpc(database, generation.counter());
    CachedGroupStore worker(database, generation.counter());
    EXPECT_FALSE(worker.exists(kTeam));

    rpc.create(Group{.uri = kTeam, .created_at = 1, .members = {kAliceOwner}});
    EXPECT_THAT(worker.members(kTeam), ElementsAre(kAliceOwner));

    ASSERT_TRUE(rpc.add_member(kTeam, kBobParticipant));
    EXPECT_TRUE(worker.is_member(kTeam, kBob));

    ASSERT_TRUE(rpc.update(Group{.uri = kTeam, .rules = GroupRules{.may_send_pager = GroupRules::anyone}}));
    EXPECT_EQ(worker.snapshot(kTeam)->rules.may_send_pager, GroupRules::anyone);

    ASSERT_TRUE(rpc.remove_member(kTeam, kAlice));
    EXPECT_THAT(worker.members(kTeam), ElementsAre(kBobParticipant));

    ASSERT_TRUE(rpc.remove(kTeam));
    EXPECT_FALSE(worker.exists(kTeam));
    EXPECT_EQ(worker.snapshot(kTeam), nullptr);
}

// A failed write may still have changed the store: the others reload anyway.
TEST(CachedGroupStore, AFailedWriteStillMovesTheGeneration)
{
    MemoryGroupStore database;
    Generation generation;
    CachedGroupStore cache(database, generation.counter());
    cache.create(Group{.uri = kTeam});
    const auto before = generation.counter().value();
    EXPECT_ANY_THROW(cache.create(Group{.uri = kTeam}));
    EXPECT_GT(generation.counter().value(), before);
}

// As in Kamailio: the counter is created before the fork, the RPC process
// changes the group in SQLite, and a worker that has the group cached sees the
// change on its next read.
TEST(CachedGroupStore, AWorkerSeesWhatAnotherProcessChangedInTheDatabase)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    {
        SqliteDatabase db = open_with_schema(path, im::store::kControllingTables);
        SqliteGroupStore(db).create(Group{.uri = kTeam, .created_at = 1, .members = {kAliceOwner}});
    }
    Generation generation;
    WorkerProcess rpc_process([&] {
        SqliteDatabase db(path);
        SqliteGroupStore store(db);
        CachedGroupStore rpc(store, generation.counter());
        if (!rpc.add_member(kTeam, kBobParticipant)) throw std::runtime_error("group not found");
    });

    SqliteDatabase db(path);
    SqliteGroupStore store(db);
    CachedGroupStore worker(store, generation.counter());
    ASSERT_THAT(worker.members(kTeam), ElementsAre(kAliceOwner));
    ASSERT_FALSE(worker.is_member(kTeam, kBob));

    rpc_process.go();
    ASSERT_TRUE(rpc_process.succeeded());
    EXPECT_TRUE(worker.is_member(kTeam, kBob));
    EXPECT_THAT(worker.members(kTeam), ElementsAre(kAliceOwner, kBobParticipant));
}

}  // namespace

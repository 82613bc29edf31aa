// One contract for every GroupStore, run against SQLite and the in-memory
// fake; the rules text and the allowed() check the Controlling Function makes
// with a group; and what only the SQLite store promises: rows written by hand
// and sharing between worker processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "im/shared/shared_counter.hpp"
#include "im/shared/test_shm.hpp"
#include "im/store/cached_group_store.hpp"
#include "im/store/group_store.hpp"
#include "im/store/memory_group_store.hpp"
#include "im/store/schema.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_group_store.hpp"
#include "im/store/store_error.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::allowed;
using im::store::Group;
using im::store::GroupMember;
using im::store::GroupRules;
using im::store::GroupStore;
using im::store::MemoryGroupStore;
using im::store::parse_who;
using im::store::rules_from_text;
using im::store::rules_to_text;
using im::store::SqliteDatabase;
using im::store::SqliteGroupStore;
using im::store::testing::create_script;
using im::store::testing::store_error_of;
using im::store::testing::TempDir;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;
using Who = GroupRules::Who;

const std::string kTeam = "sip:team@example.com";
const std::string kClub = "sip:club@example.com";
const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
const std::string kCarol = "sip:carol@example.com";

const GroupMember kAliceOwner{.uri = kAlice, .nickname = "Al", .role = "owner"};
const GroupMember kBobParticipant{.uri = kBob, .nickname = "Bobby", .role = "participant"};

using im::store::testing::open_with_schema;

// A group with every field away from its default.
Group full_group(const std::string &uri)
{
    return Group{.uri = uri,
                 .display_name = "The Team",
                 .max_participants = 12,
                 .anonymity_allowed = true,
                 .auto_release = false,
                 .rules = GroupRules{.may_send_pager = Who::anyone,
                                     .may_join = Who::owner,
                                     .may_initiate_session = Who::nobody,
                                     .may_add_users = Who::members,
                                     .invite_members = false},
                 .created_at = 1700000000,
                 .members = {}};
}

Group without_members(Group group)
{
    group.members.clear();
    return group;
}

class SqliteBackend {
public:
    GroupStore &store() { return store_; }

private:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kControllingTables)};
    SqliteGroupStore store_{db_};
};

class MemoryBackend {
public:
    GroupStore &store() { return store_; }

private:
    MemoryGroupStore store_;
};

// The per-process cache over SQLite, as im_controlling uses it: it must keep
// the same contract, every read after a write included.
class CachedSqliteBackend {
public:
    ~CachedSqliteBackend() { generation_.destroy(); }
    GroupStore &store() { return cache_; }

private:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kControllingTables)};
    SqliteGroupStore store_{db_};
    im::shared::SharedCounter generation_{*im::shared::SharedCounter::create(im::shared::SharedMemory(im::shared::test_shm_ops()))};
    im::store::CachedGroupStore cache_{store_, generation_};
};

template <typename Backend>
class GroupStoreContract : public ::testing::Test {
protected:
    GroupStore &store() { return backend_.store(); }

private:
    Backend backend_;
};

TYPED_TEST_SUITE_P(GroupStoreContract);

TYPED_TEST_P(GroupStoreContract, FindsACreatedGroupWithEveryFieldAndItsMembersByUri)
{
    Group group = full_group(kTeam);
    group.members = {kBobParticipant, kAliceOwner};
    this->store().create(group);

    Group expected = group;
    expected.members = {kAliceOwner, kBobParticipant};
    EXPECT_THAT(this->store().find(kTeam), Optional(expected));
}

TYPED_TEST_P(GroupStoreContract, KeepsDefaultsAndUnsetFields)
{
    this->store().create(Group{.uri = kTeam, .created_at = 5});
    EXPECT_THAT(this->store().find(kTeam), Optional(Group{.uri = kTeam, .created_at = 5}));
    const Group found = *this->store().find(kTeam);
    EXPECT_EQ(found.max_participants, std::nullopt);
    EXPECT_EQ(found.rules, GroupRules{});
    EXPECT_TRUE(found.auto_release);
    EXPECT_FALSE(found.anonymity_allowed);
}

TYPED_TEST_P(GroupStoreContract, KeepsEveryCombinationOfRules)
{
    const std::vector<Who> everyone{Who::nobody, Who::owner, Who::members, Who::anyone};
    int created = 0;
    for (const Who who : everyone) {
        for (const bool invite : {true, false}) {
            const GroupRules rules{.may_send_pager = who,
                                   .may_join = everyone[(created + 1) % 4],
                                   .may_initiate_session = everyone[(created + 2) % 4],
                                   .may_add_users = everyone[(created + 3) % 4],
                                   .invite_members = invite};
            const std::string uri = "sip:group" + std::to_string(created++) + "@example.com";
            this->store().create(Group{.uri = uri, .rules = rules});
            ASSERT_TRUE(this->store().find(uri).has_value());
            EXPECT_EQ(this->store().find(uri)->rules, rules) << uri;
        }
    }
}

TYPED_TEST_P(GroupStoreContract, CreatingAnExistingGroupThrowsAndKeepsTheOldOne)
{
    Group old = full_group(kTeam);
    old.members = {kAliceOwner};
    this->store().create(old);

    Group again{.uri = kTeam, .display_name = "Impostor", .created_at = 9, .members = {kBobParticipant}};
    EXPECT_THAT(store_error_of([&] { this->store().create(again); }), HasSubstr("already exists"));
    EXPECT_THAT(this->store().find(kTeam), Optional(old));
}

TYPED_TEST_P(GroupStoreContract, AMemberListedTwiceAtCreationKeepsTheLastEntry)
{
    this->store().create(Group{.uri = kTeam,
                               .members = {GroupMember{.uri = kAlice, .nickname = "first"},
                                           GroupMember{.uri = kAlice, .nickname = "last", .role = "owner"}}});
    EXPECT_THAT(this->store().members(kTeam),
                ElementsAre(GroupMember{.uri = kAlice, .nickname = "last", .role = "owner"}));
}

TYPED_TEST_P(GroupStoreContract, UpdateReplacesAttributesAndRulesButKeepsMembersAndCreationTime)
{
    this->store().create(Group{.uri = kTeam, .created_at = 100, .members = {kAliceOwner, kBobParticipant}});

    Group changed = full_group(kTeam);
    changed.created_at = 999;
    changed.members = {GroupMember{.uri = kCarol}};  // not update()'s business
    EXPECT_TRUE(this->store().update(changed));

    Group expected = full_group(kTeam);
    expected.created_at = 100;
    expected.members = {kAliceOwner, kBobParticipant};
    EXPECT_THAT(this->store().find(kTeam), Optional(expected));

    // And back: an update may also clear what was set.
    EXPECT_TRUE(this->store().update(Group{.uri = kTeam}));
    EXPECT_THAT(this->store().find(kTeam),
                Optional(Group{.uri = kTeam, .created_at = 100, .members = {kAliceOwner, kBobParticipant}}));
}

TYPED_TEST_P(GroupStoreContract, UpdateOfAnAbsentGroupReturnsFalseAndCreatesNothing)
{
    EXPECT_FALSE(this->store().update(full_group(kTeam)));
    EXPECT_EQ(this->store().find(kTeam), std::nullopt);
    EXPECT_THAT(this->store().list(), IsEmpty());
}

TYPED_TEST_P(GroupStoreContract, RemoveReportsWhetherThereWasOneAndTakesTheMembersAlong)
{
    EXPECT_FALSE(this->store().remove(kTeam));
    this->store().create(Group{.uri = kTeam, .members = {kAliceOwner, kBobParticipant}});
    this->store().create(Group{.uri = kClub, .members = {kAliceOwner}});

    EXPECT_TRUE(this->store().remove(kTeam));
    EXPECT_EQ(this->store().find(kTeam), std::nullopt);
    EXPECT_FALSE(this->store().is_member(kTeam, kAlice));
    EXPECT_THAT(this->store().members(kTeam), IsEmpty());
    EXPECT_FALSE(this->store().remove(kTeam));

    // A group created again under the same URI starts without the old members.
    this->store().create(Group{.uri = kTeam});
    EXPECT_THAT(this->store().members(kTeam), IsEmpty());
    // The other group keeps its own.
    EXPECT_THAT(this->store().members(kClub), ElementsAre(kAliceOwner));
}

TYPED_TEST_P(GroupStoreContract, FindsOnlyTheGroupAskedFor)
{
    this->store().create(Group{.uri = kTeam, .members = {kAliceOwner}});
    this->store().create(Group{.uri = kClub, .members = {kBobParticipant}});
    EXPECT_EQ(this->store().find("sip:other@example.com"), std::nullopt);
    EXPECT_THAT(this->store().find(kClub), Optional(Group{.uri = kClub, .members = {kBobParticipant}}));
}

TYPED_TEST_P(GroupStoreContract, ExistsOnlyForAGroupThatIsThere)
{
    EXPECT_FALSE(this->store().exists(kTeam));
    this->store().create(Group{.uri = kTeam, .members = {kAliceOwner}});
    EXPECT_TRUE(this->store().exists(kTeam));
    EXPECT_FALSE(this->store().exists("sip:other@example.com"));
    EXPECT_FALSE(this->store().exists("sip:alice@example.com"));  // a member is no group
    this->store().remove(kTeam);
    EXPECT_FALSE(this->store().exists(kTeam));
}

TYPED_TEST_P(GroupStoreContract, ListsEveryGroupWithoutMembersByUri)
{
    EXPECT_THAT(this->store().list(), IsEmpty());
    Group team = full_group(kTeam);
    team.members = {kAliceOwner};
    this->store().create(team);
    this->store().create(Group{.uri = kClub, .created_at = 3, .members = {kBobParticipant}});
    EXPECT_THAT(this->store().list(), ElementsAre(Group{.uri = kClub, .created_at = 3}, without_members(team)));
}

TYPED_TEST_P(GroupStoreContract, AddMemberInsertsOrReplacesNicknameAndRole)
{
    this->store().create(Group{.uri = kTeam});
    EXPECT_TRUE(this->store().add_member(kTeam, kBobParticipant));
    EXPECT_TRUE(this->store().add_member(kTeam, GroupMember{.uri = kAlice}));
    EXPECT_THAT(this->store().members(kTeam), ElementsAre(GroupMember{.uri = kAlice}, kBobParticipant));

    EXPECT_TRUE(this->store().add_member(kTeam, kAliceOwner));
    EXPECT_TRUE(this->store().add_member(kTeam, kBobParticipant));  // unchanged is still a success
    EXPECT_THAT(this->store().members(kTeam), ElementsAre(kAliceOwner, kBobParticipant));
}

TYPED_TEST_P(GroupStoreContract, AddMemberToAnAbsentGroupReturnsFalse)
{
    EXPECT_FALSE(this->store().add_member(kTeam, kAliceOwner));
    EXPECT_FALSE(this->store().is_member(kTeam, kAlice));
    EXPECT_THAT(this->store().members(kTeam), IsEmpty());
    EXPECT_EQ(this->store().find(kTeam), std::nullopt);
}

TYPED_TEST_P(GroupStoreContract, RemoveMemberReportsWhetherThereWasOne)
{
    this->store().create(Group{.uri = kTeam, .members = {kAliceOwner, kBobParticipant}});
    EXPECT_TRUE(this->store().remove_member(kTeam, kAlice));
    EXPECT_FALSE(this->store().remove_member(kTeam, kAlice));
    EXPECT_FALSE(this->store().remove_member(kTeam, kCarol));
    EXPECT_FALSE(this->store().remove_member(kClub, kBob));
    EXPECT_THAT(this->store().members(kTeam), ElementsAre(kBobParticipant));
}

TYPED_TEST_P(GroupStoreContract, IsMemberOnlyOfTheGroupsThatListTheUser)
{
    this->store().create(Group{.uri = kTeam, .members = {kAliceOwner}});
    this->store().create(Group{.uri = kClub, .members = {kBobParticipant}});
    EXPECT_TRUE(this->store().is_member(kTeam, kAlice));
    EXPECT_FALSE(this->store().is_member(kTeam, kBob));
    EXPECT_TRUE(this->store().is_member(kClub, kBob));
    EXPECT_FALSE(this->store().is_member(kClub, kAlice));
    EXPECT_FALSE(this->store().is_member(kTeam, "SIP:alice@example.com"));  // AORs are compared as given
}

TYPED_TEST_P(GroupStoreContract, RefusesWhatCannotBeStoredAndChangesNothing)
{
    this->store().create(Group{.uri = kTeam, .max_participants = 5, .members = {kAliceOwner}});
    EXPECT_THAT(store_error_of([&] { this->store().create(Group{.uri = ""}); }), HasSubstr("empty uri"));
    for (const int bad : {0, -1}) {
        EXPECT_THAT(store_error_of([&] { this->store().create(Group{.uri = kClub, .max_participants = bad}); }),
                    HasSubstr("max_participants must be at least 1"));
        EXPECT_THAT(store_error_of([&] { this->store().update(Group{.uri = kTeam, .max_participants = bad}); }),
                    HasSubstr("max_participants must be at least 1"));
    }
    for (const char *role : {"", "Owner", "admin"}) {
        SCOPED_TRACE(role);
        const GroupMember odd{.uri = kBob, .role = role};
        EXPECT_THAT(store_error_of([&] { this->store().add_member(kTeam, odd); }),
                    HasSubstr("is neither 'owner' nor 'participant'"));
        EXPECT_THAT(store_error_of([&] { this->store().create(Group{.uri = kClub, .members = {kAliceOwner, odd}}); }),
                    HasSubstr("is neither 'owner' nor 'participant'"));
    }
    EXPECT_THAT(store_error_of([&] { this->store().add_member(kTeam, GroupMember{.uri = ""}); }),
                HasSubstr("empty uri"));

    EXPECT_THAT(this->store().list(), ElementsAre(Group{.uri = kTeam, .max_participants = 5}));
    EXPECT_THAT(this->store().members(kTeam), ElementsAre(kAliceOwner));
}

// find() serves every group MESSAGE; a large group comes back whole and in order.
TYPED_TEST_P(GroupStoreContract, RoundTripsAHundredMemberGroup)
{
    Group group = full_group(kTeam);
    for (int i = 99; i >= 0; --i) {
        const std::string number = (i < 10 ? "0" : "") + std::to_string(i);
        group.members.push_back(GroupMember{.uri = "sip:user" + number + "@example.com",
                                            .nickname = "User " + number,
                                            .role = i == 0 ? "owner" : "participant"});
    }
    this->store().create(group);

    Group expected = group;
    std::ranges::sort(expected.members, {}, &GroupMember::uri);
    for (int round = 0; round < 3; ++round) EXPECT_THAT(this->store().find(kTeam), Optional(expected));
    EXPECT_EQ(this->store().members(kTeam), expected.members);
    EXPECT_TRUE(allowed(Who::owner, *this->store().find(kTeam), "sip:user00@example.com"));
    EXPECT_FALSE(allowed(Who::owner, *this->store().find(kTeam), "sip:user01@example.com"));
}

REGISTER_TYPED_TEST_SUITE_P(GroupStoreContract, FindsACreatedGroupWithEveryFieldAndItsMembersByUri,
                            KeepsDefaultsAndUnsetFields, KeepsEveryCombinationOfRules,
                            CreatingAnExistingGroupThrowsAndKeepsTheOldOne,
                            AMemberListedTwiceAtCreationKeepsTheLastEntry,
                            UpdateReplacesAttributesAndRulesButKeepsMembersAndCreationTime,
                            UpdateOfAnAbsentGroupReturnsFalseAndCreatesNothing,
                            RemoveReportsWhetherThereWasOneAndTakesTheMembersAlong, FindsOnlyTheGroupAskedFor,
                            ExistsOnlyForAGroupThatIsThere,
                            ListsEveryGroupWithoutMembersByUri, AddMemberInsertsOrReplacesNicknameAndRole,
                            AddMemberToAnAbsentGroupReturnsFalse, RemoveMemberReportsWhetherThereWasOne,
                            IsMemberOnlyOfTheGroupsThatListTheUser, RefusesWhatCannotBeStoredAndChangesNothing,
                            RoundTripsAHundredMemberGroup);

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, GroupStoreContract, SqliteBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, GroupStoreContract, MemoryBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(CachedSqlite, GroupStoreContract, CachedSqliteBackend);

TEST(GroupRulesText, WritesTheDefaultsInVersionOne)
{
    EXPECT_EQ(rules_to_text(GroupRules{}), "v1;pager=members;join=members;initiate=members;add=owner;invite_members=1");
    EXPECT_EQ(rules_to_text(GroupRules{.may_send_pager = Who::anyone,
                                       .may_join = Who::nobody,
                                       .may_initiate_session = Who::owner,
                                       .may_add_users = Who::members,
                                       .invite_members = false}),
              "v1;pager=anyone;join=nobody;initiate=owner;add=members;invite_members=0");
}

TEST(GroupRulesText, RoundTripsEveryCombination)
{
    const std::vector<Who> everyone{Who::nobody, Who::owner, Who::members, Who::anyone};
    for (const Who pager : everyone)
        for (const Who join : everyone)
            for (const Who initiate : everyone)
                for (const Who add : everyone)
                    for (const bool invite : {true, false}) {
                        const GroupRules rules{.may_send_pager = pager,
                                               .may_join = join,
                                               .may_initiate_session = initiate,
                                               .may_add_users = add,
                                               .invite_members = invite};
                        ASSERT_THAT(rules_from_text(rules_to_text(rules)), Optional(rules)) << rules_to_text(rules);
                    }
}

TEST(GroupRulesText, ReadsTextWrittenByHand)
{
    EXPECT_THAT(rules_from_text("v1"), Optional(GroupRules{}));
    EXPECT_THAT(rules_from_text("v1;"), Optional(GroupRules{}));
    EXPECT_THAT(rules_from_text("v1;pager=anyone"), Optional(GroupRules{.may_send_pager = Who::anyone}));
    EXPECT_THAT(rules_from_text(" v1 ; invite_members = 0 ;; join=owner ;"),
                Optional(GroupRules{.may_join = Who::owner, .invite_members = false}));
    EXPECT_THAT(rules_from_text("v1;add=anyone;initiate=nobody;pager=owner;join=anyone"),
                Optional(GroupRules{.may_send_pager = Who::owner,
                                    .may_join = Who::anyone,
                                    .may_initiate_session = Who::nobody,
                                    .may_add_users = Who::anyone}));
}

TEST(GroupRulesText, IgnoresKeysItDoesNotKnow)
{
    EXPECT_THAT(rules_from_text("v1;pager=nobody;schedule=mon-fri%3B9-17;x-vendor=;future=a=b"),
                Optional(GroupRules{.may_send_pager = Who::nobody}));
}

TEST(GroupRulesText, RefusesMalformedText)
{
    for (const char *malformed : {"", ";", "v2", "V1", "1", "pager=members", "v2;pager=members",
                                  "v1;pager", "v1;=members", "v1;pager=", "v1;pager=everyone", "v1;pager=Members",
                                  "v1;join=member", "v1;invite_members=yes", "v1;invite_members=true",
                                  "v1;invite_members=2", "v1;pager=owner;pager=anyone", "v1;x=1;x=2",
                                  "v1;pager=members;v1"}) {
        EXPECT_EQ(rules_from_text(malformed), std::nullopt) << '"' << malformed << '"';
    }
}

TEST(GroupRulesText, SpellsWhoInLowerCaseWords)
{
    for (const Who who : {Who::nobody, Who::owner, Who::members, Who::anyone})
        EXPECT_THAT(parse_who(im::store::to_string(who)), Optional(who));
    EXPECT_EQ(im::store::to_string(Who::members), "members");
    EXPECT_EQ(parse_who("anyone"), Who::anyone);
    for (const char *bad : {"", "Anyone", "member", "all", " owner"}) EXPECT_EQ(parse_who(bad), std::nullopt) << bad;
}

TEST(GroupAllowed, DecidesByTheMembershipAndRoleOfTheUser)
{
    const Group group{.uri = kTeam, .members = {kAliceOwner, kBobParticipant}};
    EXPECT_FALSE(allowed(Who::nobody, group, kAlice));
    EXPECT_FALSE(allowed(Who::nobody, group, kCarol));

    EXPECT_TRUE(allowed(Who::owner, group, kAlice));
    EXPECT_FALSE(allowed(Who::owner, group, kBob));
    EXPECT_FALSE(allowed(Who::owner, group, kCarol));

    EXPECT_TRUE(allowed(Who::members, group, kAlice));
    EXPECT_TRUE(allowed(Who::members, group, kBob));
    EXPECT_FALSE(allowed(Who::members, group, kCarol));

    EXPECT_TRUE(allowed(Who::anyone, group, kAlice));
    EXPECT_TRUE(allowed(Who::anyone, group, kCarol));
}

TEST(GroupAllowed, ComparesAorsExactlyAndTheGroupUriIsNoMember)
{
    const Group group{.uri = kTeam, .members = {kAliceOwner}};
    EXPECT_FALSE(allowed(Who::members, group, "sip:Alice@example.com"));
    EXPECT_FALSE(allowed(Who::members, group, ""));
    EXPECT_FALSE(allowed(Who::members, group, kTeam));
    EXPECT_FALSE(allowed(Who::owner, Group{.uri = kTeam}, kAlice));  // a group without an owner
}

TEST(GroupAllowed, OnlyTheRoleOwnerMakesAnOwner)
{
    const Group group{.uri = kTeam, .members = {GroupMember{.uri = kAlice, .role = "Owner"}}};
    EXPECT_FALSE(allowed(Who::owner, group, kAlice));
    EXPECT_TRUE(allowed(Who::members, group, kAlice));
}

TEST(SqliteGroupStore, ReadsRowsWrittenByHand)
{
    TempDir dir;
    SqliteDatabase db = open_with_schema(dir.file("im.db"), im::store::kControllingTables);
    // Every column left to its default, rules included ('' = the default rules).
    db.exec("INSERT INTO im_group (uri, created_at) VALUES ('sip:team@example.com', 42);"
            "INSERT INTO im_group_member (group_uri, member_uri) VALUES ('sip:team@example.com', "
            "'sip:bob@example.com');"
            "INSERT INTO im_group (uri, rules, created_at) VALUES ('sip:club@example.com', 'v1;join=anyone', 7);");
    SqliteGroupStore store(db);
    EXPECT_THAT(store.find(kTeam),
                Optional(Group{.uri = kTeam, .created_at = 42, .members = {GroupMember{.uri = kBob}}}));
    EXPECT_THAT(store.find(kClub), Optional(Group{.uri = kClub, .rules = GroupRules{.may_join = Who::anyone},
                                                  .created_at = 7}));
}

// Guessing at rules could open a closed group: such a row is an error.
TEST(SqliteGroupStore, RefusesARowWhoseRulesCannotBeRead)
{
    TempDir dir;
    SqliteDatabase db = open_with_schema(dir.file("im.db"), im::store::kControllingTables);
    db.exec("INSERT INTO im_group (uri, rules, created_at) VALUES ('sip:team@example.com', 'v9;pager=anyone', 1)");
    SqliteGroupStore store(db);
    EXPECT_THAT(store_error_of([&] { store.find(kTeam); }),
                AllOf(HasSubstr("sip:team@example.com"), HasSubstr("unreadable rules 'v9;pager=anyone'")));
    EXPECT_THAT(store_error_of([&] { store.list(); }), HasSubstr("unreadable rules"));
    // The store keeps working for the operator's repair.
    EXPECT_TRUE(store.update(Group{.uri = kTeam}));
    EXPECT_THAT(store.find(kTeam), Optional(Group{.uri = kTeam, .created_at = 1}));
}

TEST(SqliteGroupStore, NeedsTheSchemaToBeCreated)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(store_error_of([&] { SqliteGroupStore store(db); }), HasSubstr("no such table: im_group"));
}

using im::store::testing::WorkerProcess;

// The RPC process adds a member; a worker whose statements are prepared and
// have been used must see it at once, which holds only if every statement is
// reset after use.
TEST(SqliteGroupStore, SeesAMemberAddedByAnotherProcess)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    {
        SqliteDatabase db = open_with_schema(path, im::store::kControllingTables);
        SqliteGroupStore(db).create(Group{.uri = kTeam, .created_at = 1, .members = {kAliceOwner}});
    }
    WorkerProcess rpc([&] {
        SqliteDatabase db(path);
        SqliteGroupStore store(db);
        if (!store.add_member(kTeam, kBobParticipant)) throw std::runtime_error("group not found");
        if (!store.update(Group{.uri = kTeam, .display_name = "Renamed"})) throw std::runtime_error("no update");
    });

    SqliteDatabase db(path);
    SqliteGroupStore store(db);
    // Use every read statement before the write: one left holding its
    // snapshot would hide it.
    ASSERT_THAT(store.find(kTeam), Optional(Group{.uri = kTeam, .created_at = 1, .members = {kAliceOwner}}));
    ASSERT_FALSE(store.is_member(kTeam, kBob));
    ASSERT_THAT(store.members(kTeam), ElementsAre(kAliceOwner));
    ASSERT_THAT(store.list(), ElementsAre(Group{.uri = kTeam, .created_at = 1}));

    rpc.go();
    ASSERT_TRUE(rpc.succeeded());
    EXPECT_TRUE(store.is_member(kTeam, kBob));
    EXPECT_THAT(store.members(kTeam), ElementsAre(kAliceOwner, kBobParticipant));
    EXPECT_THAT(store.find(kTeam), Optional(Group{.uri = kTeam,
                                                  .display_name = "Renamed",
                                                  .created_at = 1,
                                                  .members = {kAliceOwner, kBobParticipant}}));
    EXPECT_THAT(store.list(), ElementsAre(Group{.uri = kTeam, .display_name = "Renamed", .created_at = 1}));
}

}  // namespace

// SqliteConferenceStore: the IM Group Sessions of the conference focus and
// their participants' dialogs, shared by every worker process through the
// database (a second connection or a forked process stands for another one).
#include "im/store/sqlite_conference_store.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "im/store/conference_store.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::Conference;
using im::store::ConferenceParticipant;
using im::store::FocusDialog;
using im::store::SqliteConferenceStore;
using im::store::SqliteDatabase;
using im::store::SqliteStatement;
using im::store::StepResult;
using im::store::testing::open_with_schema;
using im::store::testing::store_error_of;
using im::store::testing::TempDir;
using im::store::testing::WorkerProcess;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

const std::string kTeam = "sip:team@example.com";
const std::string kClub = "sip:club@example.com";
const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";

Conference session(const std::string &id, const std::string &group_uri)
{
    return Conference{.id = id, .group_uri = group_uri, .initiator = kAlice, .started_at = 1700000000};
}

// A participant with every field away from its default.
ConferenceParticipant participant(const std::string &conference, const std::string &id, std::int64_t joined_at,
                                  const std::string &call_id)
{
    return ConferenceParticipant{
        .conference = conference,
        .participant = id,
        .identity = kBob,
        .anonymous = true,
        .dialog = FocusDialog{.call_id = call_id,
                              .local_tag = "focus-" + id,
                              .remote_tag = "bob-tag",
                              .local_uri = kTeam,
                              .remote_uri = kBob,
                              .remote_target = "sip:bob@192.0.2.7:5062;transport=tcp",
                              .route_set = "<sip:p1.example.com;lr>,<sip:p2.example.com;lr>",
                              .local_cseq = 7,
                              .socket = "tcp:192.0.2.1:5060"},
        .sdp_answer = "v=0\r\nm=message 2855 TCP/MSRP *\r\na=accept-types:message/cpim\r\n",
        .joined_at = joined_at};
}

std::int64_t count(SqliteDatabase &db, std::string_view sql)
{
    SqliteStatement query(db, sql);
    EXPECT_EQ(query.step(), StepResult::row);
    return query.column_int64(0);
}

class SqliteConferenceStoreTest : public ::testing::Test {
protected:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kControllingTables)};
    SqliteConferenceStore store_{db_};
};

TEST_F(SqliteConferenceStoreTest, StartsFindsListsAndEndsSessions)
{
    const Conference team = session("s2", kTeam);
    const Conference club = session("s1", kClub);
    EXPECT_EQ(store_.start(team), team);
    EXPECT_EQ(store_.start(club), club);

    EXPECT_THAT(store_.find("s2"), Optional(team));
    EXPECT_THAT(store_.find_by_group(kTeam), Optional(team));
    EXPECT_THAT(store_.find_by_group(kClub), Optional(club));
    EXPECT_EQ(store_.find("s3"), std::nullopt);
    EXPECT_EQ(store_.find_by_group("sip:none@example.com"), std::nullopt);
    EXPECT_THAT(store_.list(), ElementsAre(club, team));

    EXPECT_TRUE(store_.end("s2"));
    EXPECT_FALSE(store_.end("s2"));
    EXPECT_EQ(store_.find("s2"), std::nullopt);
    EXPECT_EQ(store_.find_by_group(kTeam), std::nullopt);
    EXPECT_THAT(store_.list(), ElementsAre(club));
}

TEST_F(SqliteConferenceStoreTest, StartForAGroupWithASessionReturnsTheActiveOne)
{
    const Conference first = session("s1", kTeam);
    store_.start(first);
    Conference second = session("s2", kTeam);
    second.initiator = kBob;
    EXPECT_EQ(store_.start(second), first);
    EXPECT_THAT(store_.list(), ElementsAre(first));

    // Once the session ended, the group can have a new one.
    store_.end("s1");
    EXPECT_EQ(store_.start(second), second);
    EXPECT_THAT(store_.find_by_group(kTeam), Optional(second));
}

TEST_F(SqliteConferenceStoreTest, StartFromAnotherConnectionReturnsTheSessionActiveThere)
{
    SqliteDatabase other_db(dir_.file("im.db"));
    SqliteConferenceStore other(other_db);
    ASSERT_EQ(other.find_by_group(kTeam), std::nullopt);  // a read first: it must not hide the write

    const Conference first = session("s1", kTeam);
    store_.start(first);
    EXPECT_EQ(other.start(session("s2", kTeam)), first);
    EXPECT_THAT(store_.list(), ElementsAre(first));
}

// Two workers start sessions for the same groups at once: for each group,
// both must get the one session stored.
TEST(SqliteConferenceStore, ProcessesStartingGroupSessionsAtOnceAgreeOnOne)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    open_with_schema(path, im::store::kControllingTables);
    constexpr int kGroups = 50;
    const auto group = [](int i) { return "sip:group" + std::to_string(i) + "@example.com"; };
    const auto start_all = [&](const std::string &worker) {
        SqliteDatabase db(path);
        SqliteConferenceStore store(db);
        for (int i = 0; i < kGroups; ++i) {
            const Conference active = store.start(session(worker + std::to_string(i), group(i)));
            if (store.find_by_group(group(i)) != active) throw std::runtime_error("another session is active");
        }
    };
    WorkerProcess first([&] { start_all("a"); });
    WorkerProcess second([&] { start_all("b"); });
    first.go();
    second.go();
    EXPECT_TRUE(first.succeeded());
    EXPECT_TRUE(second.succeeded());

    SqliteDatabase db(path);
    EXPECT_EQ(SqliteConferenceStore(db).list().size(), static_cast<std::size_t>(kGroups));
}

TEST_F(SqliteConferenceStoreTest, AdHocSessionsAreAlwaysStored)
{
    const Conference one = session("s1", "");
    const Conference two = session("s2", "");
    EXPECT_EQ(store_.start(one), one);
    EXPECT_EQ(store_.start(two), two);
    EXPECT_THAT(store_.list(), ElementsAre(one, two));
    EXPECT_EQ(store_.find_by_group(""), std::nullopt);  // no group to find by
}

TEST_F(SqliteConferenceStoreTest, StartRefusesAnIdAlreadyStored)
{
    store_.start(session("s1", kTeam));
    EXPECT_THAT(store_error_of([&] { store_.start(session("s1", kClub)); }),
                AllOf(HasSubstr("s1"), HasSubstr("already exists")));
    EXPECT_THAT(store_error_of([&] { store_.start(session("s1", "")); }), HasSubstr("already exists"));
    EXPECT_THAT(store_error_of([&] { store_.start(session("s1", kTeam)); }), HasSubstr("already exists"));
    EXPECT_THAT(store_.list(), ElementsAre(session("s1", kTeam)));
    // The failed starts left no transaction open.
    EXPECT_EQ(store_.start(session("s2", kClub)), session("s2", kClub));
}

TEST_F(SqliteConferenceStoreTest, StoresEveryFieldOfAParticipant)
{
    store_.start(session("s1", kTeam));
    const ConferenceParticipant bob = participant("s1", "p1", 1700000001, "call-1@example.com");
    store_.add_participant(bob);
    EXPECT_THAT(store_.find_by_dialog("call-1@example.com", "focus-p1"), Optional(bob));
    EXPECT_THAT(store_.participants("s1"), ElementsAre(bob));

    // Empty texts and a named participant stay as they were.
    ConferenceParticipant plain{.conference = "s1",
                                .participant = "p2",
                                .identity = kAlice,
                                .dialog = FocusDialog{.call_id = "call-2",
                                                      .local_tag = "t2",
                                                      .remote_tag = "r2",
                                                      .local_uri = kTeam,
                                                      .remote_uri = kAlice,
                                                      .remote_target = "sip:alice@192.0.2.8"},
                                .joined_at = 1700000002};
    store_.add_participant(plain);
    EXPECT_THAT(store_.find_by_dialog("call-2", "t2"), Optional(plain));
}

TEST_F(SqliteConferenceStoreTest, FindsAParticipantByCallIdAndFocusTagTogether)
{
    store_.start(session("s1", kTeam));
    store_.add_participant(participant("s1", "p1", 1, "call-1"));
    EXPECT_EQ(store_.find_by_dialog("call-1", "focus-p2"), std::nullopt);
    EXPECT_EQ(store_.find_by_dialog("call-2", "focus-p1"), std::nullopt);
    EXPECT_EQ(store_.find_by_dialog("call-1", "bob-tag"), std::nullopt);  // the participant's own tag
}

TEST_F(SqliteConferenceStoreTest, RefusesADuplicateParticipantOrDialog)
{
    store_.start(session("s1", kTeam));
    const ConferenceParticipant bob = participant("s1", "p1", 1, "call-1");
    store_.add_participant(bob);

    ConferenceParticipant same_id = participant("s1", "p1", 2, "call-2");
    EXPECT_THAT(store_error_of([&] { store_.add_participant(same_id); }),
                AllOf(HasSubstr("p1"), HasSubstr("s1"), HasSubstr("UNIQUE constraint failed")));

    ConferenceParticipant same_dialog = participant("s1", "p2", 2, "call-1");
    same_dialog.dialog.local_tag = bob.dialog.local_tag;
    EXPECT_THAT(store_error_of([&] { store_.add_participant(same_dialog); }),
                AllOf(HasSubstr("call-1"), HasSubstr("UNIQUE constraint failed")));

    // The same dialog in another session is still the same dialog.
    store_.start(session("s2", kClub));
    same_dialog.conference = "s2";
    EXPECT_THAT(store_error_of([&] { store_.add_participant(same_dialog); }), HasSubstr("UNIQUE constraint failed"));

    EXPECT_THAT(store_.participants("s1"), ElementsAre(bob));
    EXPECT_THAT(store_.participants("s2"), IsEmpty());
}

TEST_F(SqliteConferenceStoreTest, RefusesAParticipantOfAnUnknownSession)
{
    EXPECT_THAT(store_error_of([&] { store_.add_participant(participant("s9", "p1", 1, "call-1")); }),
                AllOf(HasSubstr("s9"), HasSubstr("FOREIGN KEY constraint failed")));
    EXPECT_EQ(store_.find_by_dialog("call-1", "focus-p1"), std::nullopt);
}

TEST_F(SqliteConferenceStoreTest, ListsParticipantsInJoinOrderThenById)
{
    store_.start(session("s1", kTeam));
    store_.start(session("s2", kClub));
    store_.add_participant(participant("s1", "pc", 20, "call-c"));
    store_.add_participant(participant("s1", "pb", 10, "call-b"));
    store_.add_participant(participant("s1", "pa", 20, "call-a"));
    store_.add_participant(participant("s2", "px", 5, "call-x"));

    const auto ids = [&](const std::string &conference) {
        std::vector<std::string> found;
        for (const auto &p : store_.participants(conference)) found.push_back(p.participant);
        return found;
    };
    EXPECT_THAT(ids("s1"), ElementsAre("pb", "pa", "pc"));
    EXPECT_THAT(ids("s2"), ElementsAre("px"));
    EXPECT_THAT(ids("s9"), IsEmpty());
}

TEST_F(SqliteConferenceStoreTest, CountsAndRemovesParticipants)
{
    store_.start(session("s1", kTeam));
    store_.start(session("s2", kClub));
    EXPECT_EQ(store_.participant_count("s1"), 0u);
    store_.add_participant(participant("s1", "p1", 1, "call-1"));
    store_.add_participant(participant("s1", "p2", 2, "call-2"));
    store_.add_participant(participant("s2", "p1", 3, "call-3"));
    EXPECT_EQ(store_.participant_count("s1"), 2u);
    EXPECT_EQ(store_.participant_count("s2"), 1u);
    EXPECT_EQ(store_.participant_count("s9"), 0u);

    EXPECT_TRUE(store_.remove_participant("s1", "p1"));
    EXPECT_FALSE(store_.remove_participant("s1", "p1"));
    EXPECT_FALSE(store_.remove_participant("s9", "p2"));
    EXPECT_EQ(store_.participant_count("s1"), 1u);
    EXPECT_EQ(store_.participant_count("s2"), 1u);  // the same participant id in another session stays
    EXPECT_EQ(store_.find_by_dialog("call-1", "focus-p1"), std::nullopt);

    // Its dialog may be stored again.
    store_.add_participant(participant("s1", "p1", 4, "call-1"));
    EXPECT_EQ(store_.participant_count("s1"), 2u);
}

TEST_F(SqliteConferenceStoreTest, EndRemovesTheParticipants)
{
    store_.start(session("s1", kTeam));
    store_.start(session("s2", kClub));
    store_.add_participant(participant("s1", "p1", 1, "call-1"));
    store_.add_participant(participant("s1", "p2", 2, "call-2"));
    store_.add_participant(participant("s2", "p3", 3, "call-3"));

    EXPECT_TRUE(store_.end("s1"));
    EXPECT_THAT(store_.participants("s1"), IsEmpty());
    EXPECT_EQ(store_.participant_count("s1"), 0u);
    EXPECT_EQ(store_.find_by_dialog("call-1", "focus-p1"), std::nullopt);
    EXPECT_EQ(count(db_, "SELECT count(*) FROM im_conference_participant WHERE conference = 's1'"), 0);
    EXPECT_EQ(store_.participant_count("s2"), 1u);
}

TEST_F(SqliteConferenceStoreTest, NextLocalCseqCountsOnFromTheStoredValue)
{
    store_.start(session("s1", kTeam));
    store_.add_participant(participant("s1", "p1", 1, "call-1"));  // local_cseq 7
    store_.add_participant(participant("s1", "p2", 2, "call-2"));
    EXPECT_THAT(store_.next_local_cseq("s1", "p1"), Optional(8));
    EXPECT_THAT(store_.next_local_cseq("s1", "p1"), Optional(9));
    EXPECT_THAT(store_.find_by_dialog("call-1", "focus-p1"),
                Optional(::testing::Field(&ConferenceParticipant::dialog,
                                          ::testing::Field(&FocusDialog::local_cseq, 9))));
    EXPECT_THAT(store_.next_local_cseq("s1", "p2"), Optional(8));  // each dialog its own
}

TEST_F(SqliteConferenceStoreTest, NextLocalCseqOfAnUnknownParticipantIsNothing)
{
    store_.start(session("s1", kTeam));
    store_.add_participant(participant("s1", "p1", 1, "call-1"));
    EXPECT_EQ(store_.next_local_cseq("s1", "p2"), std::nullopt);
    EXPECT_EQ(store_.next_local_cseq("s2", "p1"), std::nullopt);
    store_.end("s1");
    EXPECT_EQ(store_.next_local_cseq("s1", "p1"), std::nullopt);
}

TEST_F(SqliteConferenceStoreTest, NextLocalCseqIsSharedBetweenConnections)
{
    store_.start(session("s1", kTeam));
    store_.add_participant(participant("s1", "p1", 1, "call-1"));
    SqliteDatabase other_db(dir_.file("im.db"));
    SqliteConferenceStore other(other_db);
    EXPECT_THAT(store_.next_local_cseq("s1", "p1"), Optional(8));
    EXPECT_THAT(other.next_local_cseq("s1", "p1"), Optional(9));
    EXPECT_THAT(store_.next_local_cseq("s1", "p1"), Optional(10));
    EXPECT_THAT(other.find_by_dialog("call-1", "focus-p1"),
                Optional(::testing::Field(&ConferenceParticipant::dialog,
                                          ::testing::Field(&FocusDialog::local_cseq, 10))));
}

// Two workers taking CSeqs at once lose none: every increment lands.
TEST(SqliteConferenceStore, ProcessesTakingCseqsAtOnceLoseNone)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    {
        SqliteDatabase db = open_with_schema(path, im::store::kControllingTables);
        SqliteConferenceStore store(db);
        store.start(session("s1", kTeam));
        store.add_participant(participant("s1", "p1", 1, "call-1"));  // local_cseq 7
    }
    constexpr int kTakes = 200;
    const auto take = [&] {
        SqliteDatabase db(path);
        SqliteConferenceStore store(db);
        std::int64_t last = 0;
        for (int i = 0; i < kTakes; ++i) {
            const auto cseq = store.next_local_cseq("s1", "p1");
            if (!cseq || *cseq <= last) throw std::runtime_error("no increasing CSeq");
            last = *cseq;
        }
    };
    WorkerProcess first(take);
    WorkerProcess second(take);
    first.go();
    second.go();
    EXPECT_TRUE(first.succeeded());
    EXPECT_TRUE(second.succeeded());

    SqliteDatabase db(path);
    EXPECT_THAT(SqliteConferenceStore(db).next_local_cseq("s1", "p1"), Optional(7 + 2 * kTakes + 1));
}

TEST(SqliteConferenceStore, NeedsTheSchemaToBeCreated)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(store_error_of([&] { SqliteConferenceStore store(db); }), HasSubstr("no such table: im_conference"));
}

}  // namespace

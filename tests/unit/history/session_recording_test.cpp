// Spec 11.1.1, 11.1.2, 11.2.2: a participant's REFER to the History Function
// starts and stops the recording of an IM Group Session, over the SQLite
// stores (the focus's sessions and the recordings) and a stand-in for the
// relay's recorders.
#include <gtest/gtest.h>

#include <deque>

#include "im/history/session_recording.hpp"
#include "im/history/sqlite_recording_store.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite_conference_store.hpp"
#include "participating/request_fixture.hpp"
#include "store/store_test_support.hpp"

using im::history::HistoryFunction;
using im::history::ReferOutcome;

namespace {

constexpr const char *kAlice = "sip:alice@example.com";
constexpr const char *kBob = "sip:bob@example.com";
constexpr const char *kDave = "sip:dave@example.com";
constexpr const char *kSession = "sip:im-session-conf1@127.0.0.1:5070";

struct SettableClock final : im::Clock {
    std::int64_t now() const override { return t; }
    std::int64_t t = 1000;
};

class FakeRecorders final : public im::history::SessionRecorder {
public:
    std::string add(const std::string &conference, const std::string &owner) override
    {
        if (down) throw im::history::RecorderError("MSRP relay: not running");
        added.push_back(conference + "/" + owner);
        return "rec" + std::to_string(added.size());
    }
    void remove(const std::string &conference, const std::string &recorder) override
    {
        if (down) throw im::history::RecorderError("MSRP relay: not running");
        removed.push_back(conference + "/" + recorder);
    }

    bool down = false;
    std::vector<std::string> added;
    std::vector<std::string> removed;
};

std::string header(const im::Action &action, std::string_view name)
{
    for (const auto &h : action.reply_headers)
        if (h.name == name) return h.value;
    return {};
}

class History : public ::testing::Test {
protected:
    History()
        : db(open_schema()),
          conferences(db),
          recordings(db),
          history({"sip:history@example.com", "im-session-"}, {*im::net::TrustedPeers::parse("127.0.0.1:5060"), false},
                  conferences, recordings, recorders, clock)
    {
        conferences.start({"conf1", "sip:friends@example.com", kAlice, 1});
        for (const char *who : {kAlice, kBob}) {
            im::store::ConferenceParticipant p;
            p.conference = "conf1";
            p.participant = std::string("p-") + who;
            p.identity = who;
            p.dialog.call_id = std::string("call-") + who;
            p.dialog.local_tag = std::string("tag-") + who;
            conferences.add_participant(p);
        }
    }

    im::store::SqliteDatabase open_schema()
    {
        auto d = im::store::testing::open_with_schema(dir.file("im.db"), im::store::kControllingTables);
        im::store::apply_schema_file(d, im::store::testing::create_script("im_history"));
        im::store::apply_schema_file(d, im::store::testing::create_script("msrp_relay"));
        return d;
    }

    // A REFER of `user` to the History Function as the core hands it over.
    im::sip::Request refer(const char *user)
    {
        auto r = im::test::core_message();
        r.method = "REFER";
        r.request_uri = "sip:history@example.com";
        r.to_uri = "sip:history@example.com";
        r.from_uri = user;
        r.content_type = "";
        r.body = "";
        r.contact = "<sip:client@127.0.0.1:5081>";
        r.asserted_identities = {identities.emplace_back(std::string("<") + user + ">")};
        return r;
    }

    ReferOutcome send(const char *user, std::string refer_to = std::string("<") + kSession + ">")
    {
        return history.refer(refer(user), refer_to, "<sip:im-history@127.0.0.1:5070>");
    }

    // A message the relay's recorder stored for `owner` in conf1.
    void store_recorded_message(const char *owner)
    {
        db.exec(std::string("INSERT INTO msrp_stored_message (session, owner, role, message_id, content_type, body, "
                            "received_at_ms) VALUES ('conf1', '") +
                owner + "', 'recorder', 'm1', 'text/plain', x'6869', 1)");
    }

    im::store::testing::TempDir dir;
    im::store::SqliteDatabase db;
    im::store::SqliteConferenceStore conferences;
    im::history::SqliteRecordingStore recordings;
    FakeRecorders recorders;
    SettableClock clock;
    HistoryFunction history;
    std::deque<std::string> identities;
};

TEST_F(History, OwnsItsUriOnly)
{
    EXPECT_TRUE(history.owns("sip:history@example.com;historyfilename=x"));
    EXPECT_FALSE(history.owns("sip:bob@example.com"));
}

TEST_F(History, ParticipantsReferStartsTheRecorderAndIsAccepted)
{
    clock.t = 1000;
    ReferOutcome out = send(kAlice);
    ASSERT_EQ(out.action.verdict.code, 202);
    EXPECT_TRUE(out.started);
    EXPECT_EQ(out.conference, "conf1");
    EXPECT_EQ(out.notify_status, "SIP/2.0 200 OK");
    EXPECT_EQ(header(out.action, "Contact"), "<sip:im-history@127.0.0.1:5070>");
    EXPECT_EQ(header(out.action, "Server"), "IM-serv/OMA1.0");
    EXPECT_EQ(recorders.added, (std::vector<std::string>{"conf1/sip:alice@example.com"}));

    auto list = history.recordings(kAlice);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_TRUE(list[0].recording());
    EXPECT_EQ(list[0].session_identity, kSession);
    EXPECT_EQ(list[0].recorder, "rec1");
    EXPECT_EQ(list[0].started_at, 1000);
    EXPECT_EQ(list[0].messages, 0);
    store_recorded_message(kAlice);
    store_recorded_message(kBob);  // another owner's recording: not alice's
    EXPECT_EQ(history.recordings(kAlice).at(0).messages, 1);
}

TEST_F(History, MethodInviteStartsAndASecondStartChangesNothing)
{
    ASSERT_EQ(send(kAlice, std::string("<") + kSession + ";method=INVITE>").action.verdict.code, 202);
    ReferOutcome again = send(kAlice);
    EXPECT_EQ(again.action.verdict.code, 202);
    EXPECT_FALSE(again.started);
    EXPECT_EQ(recorders.added.size(), 1u);
    EXPECT_EQ(history.recordings(kAlice).size(), 1u);
}

TEST_F(History, MethodByeStopsTheRecorderAndANewStartGoesOn)
{
    clock.t = 1000;
    ASSERT_EQ(send(kAlice).action.verdict.code, 202);
    clock.t = 1060;
    ReferOutcome stopped = send(kAlice, std::string("<") + kSession + ";method=BYE>");
    ASSERT_EQ(stopped.action.verdict.code, 202);
    EXPECT_TRUE(stopped.stopped);
    EXPECT_EQ(recorders.removed, (std::vector<std::string>{"conf1/rec1"}));
    auto list = history.recordings(kAlice);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_FALSE(list[0].recording());
    EXPECT_EQ(list[0].ended_at, 1060);

    ReferOutcome restarted = send(kAlice);
    EXPECT_TRUE(restarted.started);
    list = history.recordings(kAlice);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_TRUE(list[0].recording());
    EXPECT_EQ(list[0].recorder, "rec2");
    EXPECT_EQ(list[0].started_at, 1000);
}

TEST_F(History, StoppingWhatIsNotRecordedIs404)
{
    ReferOutcome out = send(kBob, std::string("<") + kSession + ";method=BYE>");
    EXPECT_EQ(out.action.verdict.code, 404);
    EXPECT_TRUE(recorders.removed.empty());
}

TEST_F(History, OnlyAParticipantMayRecord)
{
    ReferOutcome out = send(kDave);
    EXPECT_EQ(out.action.verdict.code, 403);
    EXPECT_NE(out.action.verdict.warning.find("Not a participant"), std::string::npos);
    EXPECT_TRUE(recorders.added.empty());
}

TEST_F(History, UnknownOrEndedSessionIs404)
{
    EXPECT_EQ(send(kAlice, "<sip:im-session-gone@127.0.0.1:5070>").action.verdict.code, 404);
    EXPECT_EQ(send(kAlice, "<sip:bob@example.com>").action.verdict.code, 404);
    EXPECT_TRUE(recorders.added.empty());
}

TEST_F(History, MalformedOrMissingReferToIs400)
{
    EXPECT_EQ(send(kAlice, "").action.verdict.code, 400);
    EXPECT_EQ(send(kAlice, "<not a uri>").action.verdict.code, 400);
    EXPECT_EQ(send(kAlice, std::string("<") + kSession + ";method=MESSAGE>").action.verdict.code, 400);
    EXPECT_TRUE(recorders.added.empty());
}

TEST_F(History, NeedsTheFeatureTagAndAnAssertedIdentity)
{
    auto untagged = refer(kAlice);
    untagged.accept_contact.clear();
    EXPECT_EQ(history.refer(untagged, kSession, "<sip:h@x>").action.verdict.code, 403);
    auto anonymous = refer(kAlice);
    anonymous.asserted_identities.clear();
    EXPECT_EQ(history.refer(anonymous, kSession, "<sip:h@x>").action.verdict.code, 403);
    EXPECT_TRUE(recorders.added.empty());
}

TEST_F(History, RelayDownIs503AndNothingIsStored)
{
    recorders.down = true;
    EXPECT_EQ(send(kAlice).action.verdict.code, 503);
    EXPECT_TRUE(history.recordings(kAlice).empty());
}

TEST_F(History, RecordingOfAnEndedSessionIsStoppedAtTheNextLook)
{
    clock.t = 1000;
    ASSERT_EQ(send(kAlice).action.verdict.code, 202);
    conferences.end("conf1");
    clock.t = 2000;
    auto list = history.recordings(kAlice);
    ASSERT_EQ(list.size(), 1u);
    EXPECT_FALSE(list[0].recording());
    EXPECT_EQ(list[0].ended_at, 2000);
}

}  // namespace

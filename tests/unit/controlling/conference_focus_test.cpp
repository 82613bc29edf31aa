// Spec 7.2: the conference focus of pre-defined groups' IM Group Sessions,
// its checks, its answers, and the release policy, over the SQLite stores
// and a recording stand-in for the MSRP relay.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>

#include "im/controlling/conference_focus.hpp"
#include "im/sip/sdp.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite_conference_store.hpp"
#include "im/store/sqlite_group_store.hpp"
#include "participating/request_fixture.hpp"
#include "store/store_test_support.hpp"

using im::controlling::ConferenceFocus;
using im::controlling::JoinOutcome;

namespace {

constexpr const char *kGroup = "sip:friends@example.com";
constexpr const char *kAlice = "sip:alice@example.com";
constexpr const char *kBob = "sip:bob@example.com";
constexpr const char *kCarol = "sip:carol@example.com";
constexpr const char *kDave = "sip:dave@example.com";

// Hands out sessions and participants as the relay would, and remembers
// what it was asked.
class RecordingSwitch final : public im::controlling::ConferenceSwitch {
public:
    std::string create() override
    {
        if (down) throw im::controlling::SwitchError("MSRP relay: not running");
        created.push_back("conf" + std::to_string(created.size() + 1));
        live.push_back(created.back());
        return created.back();
    }
    Joined add(const std::string &session, const std::string &identity, const std::string &accept_types,
               bool anonymous) override
    {
        if (down) throw im::controlling::SwitchError("MSRP relay: not running");
        const std::string id = "p" + std::to_string(++participants);
        added.push_back({session, identity, accept_types, anonymous});
        return {id, "msrp://127.0.0.1:2855/" + id + ";tcp", tls ? "msrps://127.0.0.1:2856/" + id + ";tcp" : ""};
    }
    void remove(const std::string &session, const std::string &participant) override
    {
        removed.push_back(session + "/" + participant);
    }
    void end(const std::string &session) override
    {
        ended.push_back(session);
        live.erase(std::remove(live.begin(), live.end(), session), live.end());
    }
    std::vector<std::string> sessions() override
    {
        if (down) throw im::controlling::SwitchError("MSRP relay: not running");
        return live;
    }

    struct Added {
        std::string session, identity, accept_types;
        bool anonymous;
    };
    bool down = false;
    bool tls = false;
    int participants = 0;
    std::vector<std::string> created;
    std::vector<std::string> live;  // what a SESSION_LIST would return
    std::vector<Added> added;
    std::vector<std::string> removed;
    std::vector<std::string> ended;
};

std::string header(const im::Action &action, std::string_view name)
{
    for (const auto &h : action.reply_headers)
        if (h.name == name) return h.value;
    return {};
}

class Focus : public ::testing::Test {
protected:
    Focus()
        : db(im::store::testing::open_with_schema(dir.file("im.db"), im::store::kControllingTables)),
          groups(db),
          conferences(db),
          focus(config(), {*im::net::TrustedPeers::parse("127.0.0.1:5060"), false}, groups, conferences, relay, clock)
    {
        im::store::Group g;
        g.uri = kGroup;
        for (const char *m : {kAlice, kBob, kCarol}) g.members.push_back({m});
        groups.create(g);
    }

    static im::controlling::FocusConfig config()
    {
        im::controlling::FocusConfig c;
        c.session_expires = 1800;
        c.remaining_participants = 1;
        c.conference_factory = "sip:conference-factory@example.com";
        return c;
    }

    // An INVITE of `user` to `target` as the core hands it over; the SDP
    // lives in the fixture.
    im::sip::Request invite(const char *user, std::string target = kGroup, std::string_view direction = "a=sendrecv")
    {
        sdp = im::test::msrp_offer(direction);
        auto r = im::test::core_invite(sdp);
        r.request_uri = targets.emplace_back(std::move(target));
        r.to_uri = r.request_uri;
        r.from_uri = user;
        r.asserted_identities = {identities.emplace_back(std::string("<") + user + ">")};
        r.call_id = call_ids.emplace_back("call-" + std::to_string(call_ids.size() + 1));
        return r;
    }

    JoinOutcome join(const im::sip::Request &r)
    {
        im::controlling::InviteContext context;
        context.local_tag = "focus-" + std::string(r.call_id);
        context.remote_tag = "tag-" + std::string(r.call_id);
        context.route_set = "<sip:127.0.0.1:5060;lr>";
        context.remote_target = "sip:member@127.0.0.1:5081";
        context.socket = "udp:127.0.0.1:5070";
        context.focus_address = "127.0.0.1:5070";
        context.timer_supported = true;
        JoinOutcome outcome = focus.join(r, context);
        if (outcome.action.verdict.code == 200) dialogs[outcome.participant] = std::string(r.call_id);
        return outcome;
    }

    // A request in the dialog `joined` set up (same Call-ID, the focus's tag).
    im::sip::Request in_dialog(const char *method, const JoinOutcome &joined)
    {
        const std::string &call_id = dialogs.at(joined.participant);
        im::sip::Request r = im::test::core_message();
        r.method = method;
        r.body = {};
        r.call_id = call_id;
        r.to_tag = tags.emplace_back("focus-" + call_id);
        return r;
    }

    im::store::testing::TempDir dir;
    im::store::SqliteDatabase db;
    im::store::SqliteGroupStore groups;
    im::store::SqliteConferenceStore conferences;
    RecordingSwitch relay;
    im::test::FixedClock clock;
    ConferenceFocus focus;
    std::string sdp;
    std::deque<std::string> identities, call_ids, tags, targets;
    std::map<std::string, std::string> dialogs;  // participant -> Call-ID
};

TEST_F(Focus, FirstMemberStartsTheGroupSessionAndGetsTheRelayPath)
{
    const JoinOutcome joined = join(invite(kAlice));

    ASSERT_EQ(joined.action.verdict.code, 200) << joined.action.verdict.warning;
    EXPECT_EQ(relay.created.size(), 1u);
    ASSERT_EQ(relay.added.size(), 1u);
    EXPECT_EQ(relay.added[0].identity, kAlice);
    EXPECT_EQ(relay.added[0].accept_types, "text/plain");
    EXPECT_FALSE(relay.added[0].anonymous);
    // 7.2.1.1: the session identity with isfocus, the group as identity, the timer.
    EXPECT_EQ(header(joined.action, "Contact"), "<sip:im-session-conf1@127.0.0.1:5070>;isfocus;+g.oma.sip-im");
    EXPECT_EQ(header(joined.action, "P-Asserted-Identity"), std::string("<") + kGroup + ">");
    EXPECT_EQ(header(joined.action, "Session-Expires"), "1800;refresher=uac");
    EXPECT_EQ(header(joined.action, "Require"), "timer");
    EXPECT_EQ(header(joined.action, "Server"), "IM-serv/OMA1.0");

    auto answer = im::sip::parse_sdp(joined.sdp_answer);
    ASSERT_TRUE(answer.ok()) << joined.sdp_answer;
    ASSERT_EQ(answer.value().media.size(), 1u);
    const auto &media = answer.value().media[0];
    EXPECT_EQ(media.attribute("path").value_or(""), "msrp://127.0.0.1:2855/p1;tcp");
    EXPECT_EQ(media.attribute("setup").value_or(""), "passive");
    EXPECT_EQ(media.port, 2855u);
    EXPECT_NE(joined.sdp_answer.find("o=IM-serv "), std::string::npos) << joined.sdp_answer;
    EXPECT_EQ(joined.sdp_answer.find("o=alice"), std::string::npos);

    auto conference = conferences.find_by_group(kGroup);
    ASSERT_TRUE(conference);
    EXPECT_EQ(conference->initiator, kAlice);
    auto participant = conferences.find_by_dialog("call-1", "focus-call-1");
    ASSERT_TRUE(participant);
    EXPECT_EQ(participant->dialog.remote_tag, "tag-call-1");
    EXPECT_EQ(participant->dialog.remote_target, "sip:member@127.0.0.1:5081");
    EXPECT_EQ(participant->dialog.route_set, "<sip:127.0.0.1:5060;lr>");
    EXPECT_EQ(participant->sdp_answer, joined.sdp_answer);
}

TEST_F(Focus, LaterMembersJoinTheActiveSession)
{
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    const JoinOutcome bob = join(invite(kBob));
    ASSERT_EQ(bob.action.verdict.code, 200);
    EXPECT_EQ(relay.created.size(), 1u);
    EXPECT_EQ(bob.conference, "conf1");
    EXPECT_EQ(conferences.participant_count("conf1"), 2u);
    EXPECT_TRUE(focus.ongoing_session("sip:im-session-conf1@127.0.0.1:5070"));
    EXPECT_FALSE(focus.ongoing_session("sip:im-session-conf9@127.0.0.1:5070"));
    EXPECT_FALSE(focus.ongoing_session(kGroup));
}

TEST_F(Focus, RejoinByTheSessionIdentity)
{
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    const JoinOutcome bob = join(invite(kBob, "sip:im-session-conf1@127.0.0.1:5070"));
    EXPECT_EQ(bob.action.verdict.code, 200);
    EXPECT_EQ(bob.conference, "conf1");
    EXPECT_EQ(join(invite(kCarol, "sip:im-session-nosuch@127.0.0.1:5070")).action.verdict.code, 404);
}

TEST_F(Focus, OngoingSessionNamesItsParticipants)
{
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    ASSERT_EQ(join(invite(kBob)).action.verdict.code, 200);

    auto session = focus.ongoing_session("<sip:im-session-conf1@127.0.0.1:5070;transport=tcp>");
    ASSERT_TRUE(session);
    EXPECT_EQ(session->identity, "sip:im-session-conf1@127.0.0.1:5070");
    EXPECT_EQ(session->participants, (std::vector<std::string>{kAlice, kBob}));
    EXPECT_FALSE(session->anonymity_allowed);
    EXPECT_FALSE(focus.ongoing_session("sip:im-session-conf9@127.0.0.1:5070"));
    EXPECT_FALSE(focus.ongoing_session(kGroup));
}

// CR 000 steps 2-5b, 8.3.2.1: a MESSAGE to the session identity, through
// the pager-mode exploder that asks the focus who is in the session.
class SessionMessage : public Focus {
protected:
    SessionMessage()
    {
        controlling.identity = {*im::net::TrustedPeers::parse("127.0.0.1:5060"), false};
        controlling.conference_factory = "sip:conference-factory@example.com";
    }

    im::controlling::ExplodeOutcome message(const char *user, std::string target = kSession)
    {
        auto r = im::test::core_message();
        r.request_uri = targets.emplace_back(std::move(target));
        r.to_uri = r.request_uri;
        r.from_uri = user;
        r.asserted_identities = {identities.emplace_back(std::string("<") + user + ">")};
        r.privacy = privacy;
        return exploder.handle(r);
    }

    static constexpr const char *kSession = "sip:im-session-conf1@127.0.0.1:5070";
    im::controlling::ControllingConfig controlling;
    im::controlling::PagerExploder exploder{controlling, groups, &focus};
    std::string privacy;
};

TEST_F(SessionMessage, GoesToTheOtherParticipantsFromTheSessionIdentity)
{
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    ASSERT_EQ(join(invite(kBob)).action.verdict.code, 200);
    ASSERT_EQ(join(invite(kCarol, kSession)).action.verdict.code, 200);

    auto outcome = message(kAlice);
    ASSERT_EQ(outcome.action.verdict.code, 202) << outcome.action.verdict.warning;
    ASSERT_EQ(outcome.copies.size(), 2u);
    EXPECT_EQ(outcome.copies[0].request_uri, kBob);
    EXPECT_EQ(outcome.copies[1].request_uri, kCarol);
    EXPECT_EQ(outcome.copies[0].content->from, std::string("<") + kSession + ">");
    EXPECT_NE(outcome.copies[0].content->headers.find("P-Asserted-Identity: <sip:alice@example.com>\r\n"),
              std::string::npos);
    ASSERT_TRUE(outcome.originator);
    EXPECT_EQ(outcome.originator->aor, kAlice);
}

TEST_F(SessionMessage, OnlyParticipantsMaySendAndAnEndedSessionIsGone)
{
    const JoinOutcome alice = join(invite(kAlice));
    ASSERT_EQ(join(invite(kBob)).action.verdict.code, 200);

    // carol is a member of the group, but not in the session.
    auto outsider = message(kCarol);
    EXPECT_EQ(outsider.action.verdict.code, 403);
    EXPECT_NE(outsider.action.verdict.warning.find("Not a participant"), std::string::npos);
    EXPECT_TRUE(outsider.copies.empty());
    EXPECT_EQ(message(kBob, "sip:im-session-conf9@127.0.0.1:5070").action.verdict.code, 404);

    ASSERT_TRUE(focus.in_dialog(in_dialog("BYE", alice)).session_ended);
    EXPECT_EQ(message(kBob).action.verdict.code, 404);
}

TEST_F(SessionMessage, AnonymityFollowsTheSessionsGroup)
{
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    ASSERT_EQ(join(invite(kBob)).action.verdict.code, 200);
    privacy = "id";
    EXPECT_EQ(message(kAlice).action.verdict.code, 403);

    auto g = *groups.find(kGroup);
    g.anonymity_allowed = true;
    groups.update(g);
    auto outcome = message(kAlice);
    ASSERT_EQ(outcome.action.verdict.code, 202);
    ASSERT_EQ(outcome.copies.size(), 1u);
    EXPECT_EQ(outcome.copies[0].content->from, std::string("<") + kSession + ">");
    EXPECT_NE(outcome.copies[0].content->headers.find("Privacy: id\r\n"), std::string::npos);
}

TEST_F(Focus, RefusalsOfTheSetupChecks)
{
    auto untagged = invite(kAlice);
    untagged.accept_contact.clear();
    EXPECT_EQ(join(untagged).action.verdict.code, 403);

    EXPECT_EQ(join(invite(kAlice, "sip:nogroup@example.com")).action.verdict.code, 404);
    EXPECT_EQ(join(invite(kAlice, "sip:conference-factory@example.com")).action.verdict.code, 501);

    auto focus_contact = invite(kAlice);
    focus_contact.contact = "<sip:conf@127.0.0.1:5090>;isfocus";
    const JoinOutcome refused = join(focus_contact);
    EXPECT_EQ(refused.action.verdict.code, 403);
    EXPECT_NE(refused.action.verdict.warning.find("isfocus already assigned"), std::string::npos);

    EXPECT_EQ(join(invite(kDave)).action.verdict.code, 403);  // not a member

    auto anonymous = invite(kAlice);
    anonymous.privacy = "id";
    EXPECT_EQ(join(anonymous).action.verdict.code, 403);

    EXPECT_EQ(join(invite(kAlice, kGroup, "a=sendonly")).action.verdict.code, 488);
    EXPECT_EQ(join(invite(kAlice, kGroup, "a=sendrecv\r\na=setup:passive")).action.verdict.code, 488);

    EXPECT_TRUE(relay.created.empty());
    EXPECT_FALSE(conferences.find_by_group(kGroup));
}

TEST_F(Focus, WhoMayStartAndWhoMayJoin)
{
    auto g = *groups.find(kGroup);
    g.rules.may_initiate_session = im::store::GroupRules::nobody;
    groups.update(g);
    EXPECT_EQ(join(invite(kAlice)).action.verdict.code, 403);

    g.rules.may_initiate_session = im::store::GroupRules::members;
    g.rules.may_join = im::store::GroupRules::anyone;
    g.anonymity_allowed = true;
    groups.update(g);
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    auto anonymous = invite(kDave);
    anonymous.privacy = "id";
    EXPECT_EQ(join(anonymous).action.verdict.code, 200);
    EXPECT_TRUE(relay.added.back().anonymous);
}

TEST_F(Focus, MaxParticipantCountGives486)
{
    auto g = *groups.find(kGroup);
    g.max_participants = 2;
    groups.update(g);
    ASSERT_EQ(join(invite(kAlice)).action.verdict.code, 200);
    ASSERT_EQ(join(invite(kBob)).action.verdict.code, 200);
    const JoinOutcome carol = join(invite(kCarol));
    EXPECT_EQ(carol.action.verdict.code, 486);
    EXPECT_NE(carol.action.verdict.warning.find("Too many participants"), std::string::npos);
}

TEST_F(Focus, TlsOfferGetsTheTlsPathOr488)
{
    auto r = invite(kAlice);
    sdp = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns= \r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          "m=message 7654 TCP/TLS/MSRP *\r\na=accept-types:text/plain\r\n"
          "a=path:msrps://127.0.0.1:7654/jshA7weztas;tcp\r\n";
    r.body = sdp;
    EXPECT_EQ(join(r).action.verdict.code, 488);
    EXPECT_EQ(relay.removed.size(), 1u);
    relay.tls = true;
    const JoinOutcome joined = join(r);
    ASSERT_EQ(joined.action.verdict.code, 200);
    EXPECT_NE(joined.sdp_answer.find("a=path:msrps://127.0.0.1:2856/"), std::string::npos) << joined.sdp_answer;
}

TEST_F(Focus, RelayDownStoresNothing)
{
    relay.down = true;
    EXPECT_THROW(join(invite(kAlice)), im::controlling::SwitchError);
    EXPECT_FALSE(conferences.find_by_group(kGroup));
}

TEST_F(Focus, ByeOfOneOfThreeKeepsTheSession)
{
    const JoinOutcome alice = join(invite(kAlice));
    const JoinOutcome bob = join(invite(kBob));
    ASSERT_EQ(join(invite(kCarol)).action.verdict.code, 200);

    auto outcome = focus.in_dialog(in_dialog("BYE", bob));
    EXPECT_EQ(outcome.action.verdict.code, 200);
    EXPECT_TRUE(outcome.byes.empty());
    EXPECT_FALSE(outcome.session_ended);
    EXPECT_EQ(relay.removed, std::vector<std::string>{"conf1/" + bob.participant});
    EXPECT_EQ(conferences.participant_count("conf1"), 2u);
    // Its dialog is gone: a second BYE is 481.
    EXPECT_EQ(focus.in_dialog(in_dialog("BYE", bob)).action.verdict.code, 481);
    EXPECT_EQ(focus.in_dialog(in_dialog("BYE", alice)).action.verdict.code, 200);
}

TEST_F(Focus, TooFewLeftReleasesTheSessionWithByes)
{
    auto g = *groups.find(kGroup);
    g.auto_release = false;
    groups.update(g);
    const JoinOutcome alice = join(invite(kAlice));
    const JoinOutcome bob = join(invite(kBob));

    auto outcome = focus.in_dialog(in_dialog("BYE", alice));
    EXPECT_EQ(outcome.action.verdict.code, 200);
    EXPECT_TRUE(outcome.session_ended);
    ASSERT_EQ(outcome.byes.size(), 1u);
    EXPECT_EQ(outcome.byes[0].participant.participant, bob.participant);
    EXPECT_EQ(outcome.byes[0].participant.dialog.remote_tag, "tag-call-2");
    EXPECT_EQ(outcome.byes[0].cseq, 1);
    EXPECT_EQ(relay.ended, std::vector<std::string>{"conf1"});
    EXPECT_FALSE(conferences.find("conf1"));
    // A new INVITE starts a new session.
    EXPECT_EQ(join(invite(kCarol)).conference, "conf2");
}

TEST_F(Focus, InitiatorLeavingWithAutoReleaseEndsTheSession)
{
    const JoinOutcome alice = join(invite(kAlice));
    join(invite(kBob));
    join(invite(kCarol));

    auto outcome = focus.in_dialog(in_dialog("BYE", alice));
    EXPECT_TRUE(outcome.session_ended);
    EXPECT_EQ(outcome.byes.size(), 2u);
}

TEST_F(Focus, OtherRequestsInTheDialog)
{
    const JoinOutcome alice = join(invite(kAlice));
    join(invite(kBob));

    auto refresh = in_dialog("INVITE", alice);
    refresh.body = sdp;
    auto refreshed = focus.in_dialog(refresh);
    EXPECT_EQ(refreshed.action.verdict.code, 200);
    EXPECT_EQ(refreshed.body, alice.sdp_answer);
    EXPECT_EQ(header(refreshed.action, "Session-Expires"), "1800;refresher=uac");

    auto update = focus.in_dialog(in_dialog("UPDATE", alice));
    EXPECT_EQ(update.action.verdict.code, 200);
    EXPECT_TRUE(update.body.empty());

    EXPECT_EQ(focus.in_dialog(in_dialog("ACK", alice)).action.verdict.code, 0);
    EXPECT_EQ(focus.in_dialog(in_dialog("MESSAGE", alice)).action.verdict.code, 405);

    auto unknown = in_dialog("BYE", alice);
    unknown.to_tag = "other";
    EXPECT_EQ(focus.in_dialog(unknown).action.verdict.code, 481);
}

TEST_F(Focus, DeletedGroupsSessionIsReleasedWithByesToEveryone)
{
    join(invite(kAlice));
    join(invite(kBob));
    ASSERT_TRUE(groups.remove(kGroup));
    auto byes = focus.end_group_session(kGroup);
    ASSERT_EQ(byes.size(), 2u);
    EXPECT_EQ(byes[0].participant.identity, kAlice);
    EXPECT_EQ(byes[1].participant.identity, kBob);
    EXPECT_EQ(relay.ended, std::vector<std::string>{"conf1"});
    EXPECT_FALSE(conferences.find("conf1"));
    EXPECT_TRUE(focus.end_group_session(kGroup).empty());
}

TEST_F(Focus, SessionsTheRelayLostAreEndedWithByes)
{
    join(invite(kAlice));
    join(invite(kBob));
    auto g = *groups.find(kGroup);
    g.uri = "sip:others@example.com";
    g.members = {{kCarol}, {kAlice}};
    groups.create(g);
    join(invite(kCarol, "sip:others@example.com"));
    EXPECT_TRUE(focus.end_lost_sessions().empty());

    relay.down = true;  // not answering: nothing is ended
    EXPECT_THROW(focus.end_lost_sessions(), im::controlling::SwitchError);
    EXPECT_TRUE(conferences.find("conf1"));

    relay.down = false;
    relay.live = {"conf2"};  // restarted: conf1 is gone
    auto byes = focus.end_lost_sessions();
    ASSERT_EQ(byes.size(), 2u);
    EXPECT_EQ(byes[0].participant.identity, kAlice);
    EXPECT_EQ(byes[1].participant.identity, kBob);
    EXPECT_FALSE(conferences.find("conf1"));
    EXPECT_TRUE(conferences.find("conf2"));
}

TEST(FocusAnswer, ReplacesTheOriginAndAnchorsTheMedia)
{
    const std::string offer = im::test::msrp_offer();
    auto answer = im::controlling::focus_answer(offer, "msrp://[::1]:2855/abc;tcp", "s1");
    ASSERT_TRUE(answer);
    EXPECT_NE(answer->find("o=IM-serv "), std::string::npos);
    EXPECT_NE(answer->find(" IN IP6 ::1\r\n"), std::string::npos) << *answer;
    EXPECT_NE(answer->find("a=path:msrp://[::1]:2855/abc;tcp"), std::string::npos);
    EXPECT_FALSE(im::controlling::focus_answer("garbage", "msrp://127.0.0.1:2855/abc;tcp", "s1"));
}

}  // namespace

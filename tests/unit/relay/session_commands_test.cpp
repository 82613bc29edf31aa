#include <gtest/gtest.h>

#include "im/relay/control_protocol.hpp"
#include "msrp_relay/session_commands.hpp"
#include "relay_test_support.hpp"

namespace {

using namespace im::msrp_relay;
using im::msrp_relay::testing::seeded_random;
using im::relay::ControlReply;
using namespace std::chrono_literals;

class SessionCommandsTest : public ::testing::Test {
protected:
    SessionCommandsTest() : commands_(registry_, address_, [this] { return now_; }) {}

    // One request line in, the serialized reply line out (LF stripped).
    ControlReply ask(std::string_view line)
    {
        auto request = im::relay::parse_request(line);
        EXPECT_TRUE(request.ok()) << line;
        auto reply = commands_.answer(request.value());
        EXPECT_TRUE(reply.has_value()) << line;
        // Every reply must survive the wire.
        auto reparsed = im::relay::parse_reply(im::relay::serialize_reply(*reply));
        EXPECT_TRUE(reparsed.ok());
        return reparsed.ok() ? reparsed.value() : ControlReply{};
    }
    std::string value(const ControlReply &reply, std::string_view key)
    {
        const std::string *found = reply.find(key);
        return found ? *found : "<missing>";
    }

    RelayAddress address_{"127.0.0.1", 12855};
    SessionRegistry registry_{seeded_random(3)};
    SteadyClock::time_point now_ = SteadyClock::now();
    SessionCommands commands_;
};

TEST_F(SessionCommandsTest, CreateRelayReturnsOnePathPerSide)
{
    ControlReply reply = ask("SESSION_CREATE relay");
    ASSERT_TRUE(reply.ok);
    EXPECT_EQ(value(reply, "kind"), "relay");
    EXPECT_EQ(value(reply, "path_a"), "msrp://127.0.0.1:12855/" + value(reply, "participant_a") + ";tcp");
    EXPECT_EQ(value(reply, "path_b"), "msrp://127.0.0.1:12855/" + value(reply, "participant_b") + ";tcp");
    EXPECT_NE(registry_.find(value(reply, "session")), nullptr);
}

TEST_F(SessionCommandsTest, ConferenceLifecycle)
{
    ControlReply created = ask("SESSION_CREATE conference");
    std::string id = value(created, "session");
    EXPECT_EQ(created.find("path_a"), nullptr);

    ControlReply alice = ask("SESSION_ADD_PARTICIPANT " + id + " Alice%20<sip:alice@example.com> text/plain,text/* public");
    ASSERT_TRUE(alice.ok) << alice.error_text;
    std::string alice_id = value(alice, "participant");
    EXPECT_EQ(value(alice, "path"), "msrp://127.0.0.1:12855/" + alice_id + ";tcp");
    ControlReply carol = ask("SESSION_ADD_PARTICIPANT " + id + " sip:carol@example.com * anonymous");
    ASSERT_TRUE(carol.ok);

    now_ += 7s;
    ControlReply shown = ask("SESSION_SHOW " + id);
    EXPECT_EQ(value(shown, "kind"), "conference");
    EXPECT_EQ(value(shown, "idle"), "7");
    EXPECT_EQ(value(shown, "participants"), "2");
    EXPECT_EQ(value(shown, "bound"), "0");
    EXPECT_EQ(value(shown, "ids"), alice_id + "," + value(carol, "participant"));

    ControlReply one = ask("SESSION_SHOW " + id + " " + alice_id);
    EXPECT_EQ(value(one, "identity"), "Alice <sip:alice@example.com>");
    EXPECT_EQ(value(one, "accept_types"), "text/plain,text/*");
    EXPECT_EQ(value(one, "privacy"), "public");
    EXPECT_EQ(value(one, "peer_path"), "");
    EXPECT_EQ(value(ask("SESSION_SHOW " + id + " " + value(carol, "participant")), "privacy"), "anonymous");

    EXPECT_TRUE(ask("SESSION_REMOVE_PARTICIPANT " + id + " " + alice_id).ok);
    EXPECT_EQ(ask("SESSION_REMOVE_PARTICIPANT " + id + " " + alice_id).error_code, im::relay::kErrNotFound);
    EXPECT_TRUE(ask("SESSION_DELETE " + id).ok);
    EXPECT_EQ(ask("SESSION_DELETE " + id).error_code, im::relay::kErrNotFound);
    EXPECT_EQ(ask("SESSION_SHOW " + id).error_code, im::relay::kErrNotFound);
}

TEST_F(SessionCommandsTest, MalformedAndMisdirectedRequestsGetTheirCodes)
{
    EXPECT_EQ(ask("SESSION_CREATE").error_code, im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_CREATE chat").error_code, im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_CREATE relay extra").error_code, im::relay::kErrMalformed);
    std::string relay = value(ask("SESSION_CREATE relay"), "session");
    EXPECT_EQ(ask("SESSION_ADD_PARTICIPANT " + relay + " sip:x@example.com").error_code, im::relay::kErrConflict);
    EXPECT_EQ(ask("SESSION_ADD_PARTICIPANT nosuch sip:x@example.com").error_code, im::relay::kErrNotFound);
    std::string conference = value(ask("SESSION_CREATE conference"), "session");
    EXPECT_EQ(ask("SESSION_ADD_PARTICIPANT " + conference + " sip:x@example.com text").error_code,
              im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_ADD_PARTICIPANT " + conference + " sip:x@example.com * secret").error_code,
              im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_ADD_PARTICIPANT " + conference + " sip:x@example.com%0D%0AFrom:%20evil").error_code,
              im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_ADD_PARTICIPANT " + conference).error_code, im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_SHOW").error_code, im::relay::kErrMalformed);
    EXPECT_EQ(ask("SESSION_SHOW " + conference + " nosuch").error_code, im::relay::kErrNotFound);
}

TEST_F(SessionCommandsTest, OtherCommandsAreLeftToTheBaseProtocol)
{
    EXPECT_FALSE(commands_.answer({"STATUS", {}}).has_value());
    EXPECT_FALSE(commands_.answer({"SESSION_FOO", {}}).has_value());
}

TEST_F(SessionCommandsTest, ListPagesThroughSessionsInOrder)
{
    EXPECT_EQ(im::relay::serialize_reply(ask("SESSION_LIST")), "OK count=0 sessions=\n");
    for (std::size_t i = 0; i < kSessionListPage + 5; ++i) ask("SESSION_CREATE conference");
    ControlReply first = ask("SESSION_LIST");
    EXPECT_EQ(value(first, "count"), std::to_string(kSessionListPage + 5));
    ASSERT_NE(first.find("next"), nullptr);
    ControlReply second = ask("SESSION_LIST " + value(first, "next"));
    EXPECT_EQ(second.find("next"), nullptr);
    std::string all = value(first, "sessions") + "," + value(second, "sessions");
    std::string expected;
    for (const auto &[id, session] : registry_.sessions()) expected += (expected.empty() ? "" : ",") + id;
    EXPECT_EQ(all, expected);
}

}  // namespace

namespace {

// The typed helpers the Kamailio modules use, against the relay's real answers.
TEST_F(SessionCommandsTest, TypedHelpersBuildRequestsAndReadReplies)
{
    using namespace im::relay;
    EXPECT_EQ(serialize_request(session_create_request("relay")), "SESSION_CREATE relay\n");
    auto created = read_created_session(*commands_.answer(session_create_request("relay")));
    ASSERT_TRUE(created.ok()) << created.error().text;
    EXPECT_EQ(created.value().kind, "relay");
    EXPECT_EQ(created.value().path_a, "msrp://127.0.0.1:12855/" + created.value().participant_a + ";tcp");
    EXPECT_TRUE(created.value().path_a_tls.empty());

    auto conference = read_created_session(*commands_.answer(session_create_request("conference")));
    ASSERT_TRUE(conference.ok());
    EXPECT_TRUE(conference.value().path_a.empty());
    ControlRequest add = add_participant_request(conference.value().session, "Alice <sip:alice@example.com>",
                                                 "text/plain", true);
    EXPECT_EQ(serialize_request(add), "SESSION_ADD_PARTICIPANT " + conference.value().session +
                                          " Alice%20<sip:alice@example.com> text/plain anonymous\n");
    auto added = read_added_participant(*commands_.answer(add));
    ASSERT_TRUE(added.ok()) << added.error().text;
    EXPECT_EQ(added.value().path, "msrp://127.0.0.1:12855/" + added.value().participant + ";tcp");
    EXPECT_TRUE(commands_
                    .answer(remove_participant_request(conference.value().session, added.value().participant))
                    ->ok);
    EXPECT_TRUE(commands_.answer(session_delete_request(conference.value().session))->ok);

    auto refused = read_added_participant(*commands_.answer(add));
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().text, "relay answered ERR 404 no such session");
    EXPECT_EQ(read_created_session(ControlReply::success({{"session", "x"}, {"kind", "relay"}})).error().text,
              "SESSION_CREATE reply lacks path_a");
}

TEST(SessionCommandsTls, TlsPathsAppearWhenTheRelayListensForTls)
{
    RelayAddress address{"127.0.0.1", 2855, 2856};
    SessionRegistry registry{seeded_random(9)};
    SessionCommands commands(registry, address, [] { return SteadyClock::now(); });
    auto created = im::relay::read_created_session(*commands.answer(im::relay::session_create_request("relay")));
    ASSERT_TRUE(created.ok());
    EXPECT_EQ(created.value().path_b_tls, "msrps://127.0.0.1:2856/" + created.value().participant_b + ";tcp");
    auto conference = im::relay::read_created_session(*commands.answer(im::relay::session_create_request("conference")));
    auto added = im::relay::read_added_participant(
        *commands.answer(im::relay::add_participant_request(conference.value().session, "sip:a@example.com")));
    ASSERT_TRUE(added.ok());
    EXPECT_EQ(added.value().path_tls, "msrps://127.0.0.1:2856/" + added.value().participant + ";tcp");
}

}  // namespace

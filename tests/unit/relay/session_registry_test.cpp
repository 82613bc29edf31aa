#include <gtest/gtest.h>

#include <chrono>
#include <set>

#include "msrp_relay/session_registry.hpp"
#include "relay_test_support.hpp"

namespace {

using namespace im::msrp_relay;
using im::msrp_relay::testing::seeded_random;
using namespace std::chrono_literals;

TEST(RelaySessionRegistry, RelaySessionComesWithTwoDistinctUnboundParticipants)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    const Session *session = registry.create(SessionKind::relay, SteadyClock::now(), error);
    ASSERT_NE(session, nullptr);
    ASSERT_EQ(session->participants.size(), 2u);
    EXPECT_NE(session->participants[0].id, session->participants[1].id);
    EXPECT_EQ(session->participants[0].id.size(), 20u);
    EXPECT_EQ(session->id.size(), 16u);
    EXPECT_FALSE(session->participants[0].bound());
    auto leg = registry.find_leg(session->participants[1].id);
    ASSERT_TRUE(leg);
    EXPECT_EQ(leg->session->id, session->id);
    EXPECT_EQ(leg->participant->id, session->participants[1].id);
}

TEST(RelaySessionRegistry, ConferenceParticipantsJoinAndLeave)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    std::string id = registry.create(SessionKind::conference, SteadyClock::now(), error)->id;
    const Participant *alice = registry.add_participant(id, "sip:alice@example.com", {"text/plain"}, false, error);
    ASSERT_NE(alice, nullptr);
    std::string alice_id = alice->id;
    ASSERT_NE(registry.add_participant(id, "sip:bob@example.com", {}, true, error), nullptr);
    EXPECT_EQ(registry.find(id)->participants.size(), 2u);
    EXPECT_EQ(registry.find(id)->participants[1].accept_types, std::vector<std::string>{"*"});
    EXPECT_EQ(registry.find(id)->participants[1].shown_identity(), kAnonymousIdentity);

    EXPECT_EQ(registry.remove_participant(id, alice_id), std::nullopt);
    EXPECT_FALSE(registry.find_leg(alice_id));
    EXPECT_EQ(registry.remove_participant(id, alice_id), RegistryError::no_participant);
    EXPECT_EQ(registry.remove_participant("nope", alice_id), RegistryError::no_session);
}

TEST(RelaySessionRegistry, RelaySessionsHaveFixedParticipants)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    const Session *session = registry.create(SessionKind::relay, SteadyClock::now(), error);
    std::string id = session->id;
    std::string leg = session->participants[0].id;
    EXPECT_EQ(registry.add_participant(id, "sip:x@example.com", {}, false, error), nullptr);
    EXPECT_EQ(error, RegistryError::wrong_kind);
    EXPECT_EQ(registry.remove_participant(id, leg), RegistryError::wrong_kind);
}

TEST(RelaySessionRegistry, LimitsAreEnforced)
{
    SessionRegistry registry(seeded_random(), RegistryLimits{2, 1});
    RegistryError error{};
    std::string id = registry.create(SessionKind::conference, SteadyClock::now(), error)->id;
    ASSERT_NE(registry.create(SessionKind::relay, SteadyClock::now(), error), nullptr);
    EXPECT_EQ(registry.create(SessionKind::relay, SteadyClock::now(), error), nullptr);
    EXPECT_EQ(error, RegistryError::too_many_sessions);
    ASSERT_NE(registry.add_participant(id, "sip:a@example.com", {}, false, error), nullptr);
    EXPECT_EQ(registry.add_participant(id, "sip:b@example.com", {}, false, error), nullptr);
    EXPECT_EQ(error, RegistryError::too_many_participants);
}

TEST(RelaySessionRegistry, DeleteReleasesEveryParticipant)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    const Session *session = registry.create(SessionKind::relay, SteadyClock::now(), error);
    std::string id = session->id;
    std::string a = session->participants[0].id;
    EXPECT_TRUE(registry.remove(id));
    EXPECT_FALSE(registry.find_leg(a));
    EXPECT_FALSE(registry.remove(id));
    EXPECT_EQ(registry.size(), 0u);
}

TEST(RelaySessionRegistry, UnbindForgetsTheConnectionEverywhere)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    std::string one = registry.create(SessionKind::relay, SteadyClock::now(), error)->id;
    std::string two = registry.create(SessionKind::relay, SteadyClock::now(), error)->id;
    registry.find(one)->participants[0].connection = 7;
    registry.find(two)->participants[1].connection = 7;
    registry.find(two)->participants[0].connection = 8;
    EXPECT_EQ(registry.unbind(7), 2u);
    EXPECT_FALSE(registry.find(one)->participants[0].bound());
    EXPECT_TRUE(registry.find(two)->participants[0].bound());
}

TEST(RelaySessionRegistry, ExpireDeletesOnlySilentSessions)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    auto start = SteadyClock::now();
    std::string old_one = registry.create(SessionKind::relay, start, error)->id;
    std::string fresh = registry.create(SessionKind::conference, start + 50s, error)->id;
    EXPECT_EQ(registry.expire(start + 60s, 60s), std::vector<std::string>{old_one});
    EXPECT_EQ(registry.size(), 1u);
    EXPECT_NE(registry.find(fresh), nullptr);
}

TEST(RelaySessionRegistry, IdsAreUnique)
{
    SessionRegistry registry(seeded_random());
    RegistryError error{};
    std::set<std::string> ids;
    for (int i = 0; i < 200; ++i) {
        const Session *session = registry.create(SessionKind::relay, SteadyClock::now(), error);
        ids.insert(session->id);
        for (const auto &participant : session->participants) ids.insert(participant.id);
    }
    EXPECT_EQ(ids.size(), 600u);
}

TEST(RelayParticipant, AcceptTypesMatchWildcardsAndIgnoreParametersAndCase)
{
    Participant participant;
    participant.accept_types = {"text/plain", "image/*"};
    EXPECT_TRUE(participant.accepts("text/plain"));
    EXPECT_TRUE(participant.accepts("Text/Plain; charset=utf-8"));
    EXPECT_TRUE(participant.accepts("image/png"));
    EXPECT_FALSE(participant.accepts("text/html"));
    EXPECT_FALSE(participant.accepts("application/im-iscomposing+xml"));
    participant.accept_types = {"*"};
    EXPECT_TRUE(participant.accepts("application/octet-stream"));
}

}  // namespace

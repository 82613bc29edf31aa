#include <gtest/gtest.h>

#include "im/participating/originating.hpp"
#include "im/participating/terminating.hpp"
#include "im/store/memory_registration_store.hpp"
#include "request_fixture.hpp"

using im::Action;

namespace {

struct FixedClock final : im::Clock {
    std::int64_t now() const override { return 1000; }
};

im::participating::Config config()
{
    im::participating::Config c;
    c.identity = {*im::net::TrustedPeers::parse("127.0.0.1:5060"), false};
    c.server_uri = "sip:127.0.0.1:5070";
    c.controlling_uris = {"sip:conference-factory@example.com"};
    return c;
}

std::string header(const Action &a, std::string_view name)
{
    for (const auto &h : a.request_headers)
        if (h.name == name) return h.value;
    return "";
}

}  // namespace

TEST(Originating, ForwardsAnIdentifiedTaggedMessage)
{
    auto c = config();
    Action a = im::participating::OriginatingProcedure(c).handle(im::test::core_message());
    EXPECT_TRUE(a.verdict.proceed());
    EXPECT_EQ(a.next, Action::Next::Forward);
}

TEST(Originating, Step1MissingFeatureTagIs403)
{
    auto c = config();
    auto request = im::test::core_message();
    request.accept_contact = {"*;+g.poc.talkburst"};
    Action a = im::participating::OriginatingProcedure(c).handle(request);
    EXPECT_EQ(a.verdict.code, 403);
    EXPECT_NE(a.verdict.warning.find("+g.oma.sip-im"), std::string::npos);
}

TEST(Originating, NoIdentityIs403)
{
    auto c = config();
    auto request = im::test::core_message();
    request.asserted_identities.clear();
    EXPECT_EQ(im::participating::OriginatingProcedure(c).handle(request).verdict.code, 403);
}

TEST(Originating, ConferenceFactoryGoesToTheControllingFunction)
{
    auto c = config();
    auto request = im::test::core_message();
    request.request_uri = "sip:conference-factory@EXAMPLE.com;transport=udp";
    Action a = im::participating::OriginatingProcedure(c).handle(request);
    EXPECT_TRUE(a.verdict.proceed());
    EXPECT_EQ(a.next, Action::Next::Controlling);
}

TEST(Terminating, DeliversToARegisteredUserWithServerAndContact)
{
    auto c = config();
    im::store::MemoryRegistrationStore registrations;
    registrations.upsert({"sip:bob@example.com", "", 2000, 900});
    FixedClock clock;
    auto request = im::test::core_message();
    request.request_uri = "sip:bob@example.com;user=phone";
    Action a = im::participating::TerminatingProcedure(c, registrations, clock).handle(request);
    ASSERT_TRUE(a.verdict.proceed());
    EXPECT_EQ(a.request_uri, "sip:bob@example.com");
    EXPECT_EQ(header(a, "Server"), "IM-serv/OMA1.0");
    EXPECT_EQ(header(a, "Contact"), "<sip:127.0.0.1:5070>;+g.oma.sip-im");
}

TEST(Terminating, KeepsAnExistingContact)
{
    auto c = config();
    im::store::MemoryRegistrationStore registrations;
    registrations.upsert({"sip:bob@example.com", "", 2000, 900});
    FixedClock clock;
    auto request = im::test::core_message();
    request.contact = "<sip:alice@10.0.0.1>";
    Action a = im::participating::TerminatingProcedure(c, registrations, clock).handle(request);
    EXPECT_EQ(header(a, "Contact"), "");
}

TEST(Terminating, UnregisteredIs480AndUntaggedOrUnidentifiedIs403)
{
    auto c = config();
    im::store::MemoryRegistrationStore registrations;
    FixedClock clock;
    im::participating::TerminatingProcedure procedure(c, registrations, clock);
    EXPECT_EQ(procedure.handle(im::test::core_message()).verdict.code, 480);
    registrations.upsert({"sip:bob@example.com", "", 999, 900});  // expired before now
    EXPECT_EQ(procedure.handle(im::test::core_message()).verdict.code, 480);

    auto untagged = im::test::core_message();
    untagged.accept_contact.clear();
    EXPECT_EQ(procedure.handle(untagged).verdict.code, 403);
    auto stranger = im::test::core_message();
    stranger.source.ip = "10.9.9.9";
    EXPECT_EQ(procedure.handle(stranger).verdict.code, 403);
}

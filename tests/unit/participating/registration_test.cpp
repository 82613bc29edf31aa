#include <gtest/gtest.h>

#include "im/participating/registration.hpp"
#include "im/store/memory_registration_store.hpp"

using im::participating::RegistrationOutcome;
using im::participating::RegistrationProcedure;

namespace {

struct FixedClock final : im::Clock {
    std::int64_t t = 1000;
    std::int64_t now() const override { return t; }
};

im::sip::Request third_party_register(std::string_view expires)
{
    im::sip::Request r;
    r.method = "REGISTER";
    r.request_uri = "sip:127.0.0.1:5070";
    r.from_uri = "sip:scscf@example.com";
    r.to_uri = "sip:bob@example.com";
    r.contact = "<sip:127.0.0.1:5060>";
    if (!expires.empty()) r.expires = expires;
    r.source = {"127.0.0.1", 5060, "udp"};
    return r;
}

std::string reply_expires(const RegistrationOutcome &o)
{
    for (const auto &h : o.action.reply_headers)
        if (h.name == "Expires") return h.value;
    return "";
}

class Registration : public ::testing::Test {
protected:
    im::store::MemoryRegistrationStore store;
    FixedClock clock;
    im::IdentityPolicy identity{*im::net::TrustedPeers::parse("127.0.0.1:5060"), false};
    RegistrationProcedure procedure{store, clock, identity, {3600, 7200}};
};

}  // namespace

TEST_F(Registration, StoresStateAndAnswers200WithTheSameExpires)
{
    auto outcome = procedure.handle(third_party_register("600"));
    EXPECT_EQ(outcome.action.verdict.code, 200);
    EXPECT_EQ(reply_expires(outcome), "600");
    EXPECT_EQ(outcome.change, RegistrationOutcome::Change::Registered);
    auto reg = store.find_active("sip:bob@example.com", clock.t);
    ASSERT_TRUE(reg);
    EXPECT_EQ(reg->expires_at, 1600);
    EXPECT_EQ(reg->contact, "<sip:127.0.0.1:5060>");
}

TEST_F(Registration, RefreshThenExpiryOnTime)
{
    procedure.handle(third_party_register("600"));
    clock.t = 1500;
    EXPECT_EQ(procedure.handle(third_party_register("600")).change, RegistrationOutcome::Change::Refreshed);
    clock.t = 2099;
    EXPECT_TRUE(store.find_active("sip:bob@example.com", clock.t));
    clock.t = 2100;
    EXPECT_FALSE(store.find_active("sip:bob@example.com", clock.t));
}

TEST_F(Registration, ExpiresZeroDeregisters)
{
    procedure.handle(third_party_register("600"));
    auto outcome = procedure.handle(third_party_register("0"));
    EXPECT_EQ(outcome.action.verdict.code, 200);
    EXPECT_EQ(reply_expires(outcome), "0");
    EXPECT_EQ(outcome.change, RegistrationOutcome::Change::Deregistered);
    EXPECT_TRUE(store.known("sip:bob@example.com"));  // offline, still a subscriber
    EXPECT_FALSE(store.find_active("sip:bob@example.com", clock.t));
}

TEST_F(Registration, DefaultContactParameterAndCap)
{
    EXPECT_EQ(reply_expires(procedure.handle(third_party_register(""))), "3600");
    auto request = third_party_register("");
    request.contact = "<sip:127.0.0.1:5060>;expires=120";
    EXPECT_EQ(reply_expires(procedure.handle(request)), "120");
    EXPECT_EQ(reply_expires(procedure.handle(third_party_register("999999"))), "7200");
}

TEST_F(Registration, RejectsStrangersAndMalformedRequests)
{
    auto request = third_party_register("600");
    request.source.port = 5999;
    EXPECT_EQ(procedure.handle(request).action.verdict.code, 403);
    EXPECT_EQ(procedure.handle(third_party_register("soon")).action.verdict.code, 400);
    EXPECT_EQ(procedure.handle(third_party_register("-5")).action.verdict.code, 400);
    request = third_party_register("600");
    request.to_uri = "<mailto:bob@example.com>";
    EXPECT_EQ(procedure.handle(request).action.verdict.code, 400);
    EXPECT_EQ(store.count_active(clock.t), 0);
}

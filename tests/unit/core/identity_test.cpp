#include <gtest/gtest.h>

#include "../participating/request_fixture.hpp"
#include "im/identity.hpp"

using im::authenticate_originator;

namespace {
im::IdentityPolicy core_only(bool accept_from = false)
{
    return {*im::net::TrustedPeers::parse("127.0.0.1:5060"), accept_from};
}
}  // namespace

TEST(Identity, AssertedIdentityFromTheCoreIsTheOriginator)
{
    auto result = authenticate_originator(im::test::core_message(), core_only());
    ASSERT_TRUE(result.verdict.proceed());
    EXPECT_EQ(result.originator->aor, "sip:alice@example.com");
    EXPECT_FALSE(result.originator->privacy_requested);
}

TEST(Identity, AssertedIdentityFromAnyoneElseIs403)
{
    auto request = im::test::core_message();
    request.source = {"127.0.0.1", 5099, "udp"};
    auto result = authenticate_originator(request, core_only());
    EXPECT_EQ(result.verdict.code, 403);
    EXPECT_NE(result.verdict.warning.find("not accepted from this host"), std::string::npos);
    EXPECT_FALSE(result.originator);
}

TEST(Identity, NoIdentityIs403UnlessFromIsAllowedFromTheCore)
{
    auto request = im::test::core_message();
    request.asserted_identities.clear();
    EXPECT_EQ(authenticate_originator(request, core_only()).verdict.code, 403);
    auto allowed = authenticate_originator(request, core_only(true));
    ASSERT_TRUE(allowed.verdict.proceed());
    EXPECT_EQ(allowed.originator->aor, "sip:alice@example.com");
    request.source.port = 6000;  // From is believed only from the core too
    EXPECT_EQ(authenticate_originator(request, core_only(true)).verdict.code, 403);
}

TEST(Identity, PrefersTheSipUriAmongSeveralAssertedIdentities)
{
    auto request = im::test::core_message();
    request.asserted_identities = {"<tel:+15551234>, \"Alice\" <sip:alice@example.com>"};
    EXPECT_EQ(authenticate_originator(request, core_only()).originator->aor, "sip:alice@example.com");
    request.asserted_identities = {"<tel:+15551234>"};
    EXPECT_EQ(authenticate_originator(request, core_only()).originator->aor, "tel:+15551234");
    request.asserted_identities = {"<garbage>"};
    EXPECT_EQ(authenticate_originator(request, core_only()).verdict.code, 403);
}

TEST(Identity, PrivacyRequested)
{
    auto request = im::test::core_message();
    request.privacy = "id";
    EXPECT_TRUE(authenticate_originator(request, core_only()).originator->privacy_requested);
    EXPECT_TRUE(im::privacy_requested("header; id"));
    EXPECT_TRUE(im::privacy_requested("User"));
    EXPECT_FALSE(im::privacy_requested("none"));
    EXPECT_FALSE(im::privacy_requested(""));
}

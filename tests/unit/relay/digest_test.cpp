#include <gtest/gtest.h>

#include "msrp_relay/digest.hpp"

namespace {

using namespace im::msrp_relay;

TEST(RelayDigest, Md5OfKnownTexts)
{
    EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
}

TEST(RelayDigest, ParsesAKamailioChallenge)
{
    auto challenge = parse_digest_challenge(
        R"(Digest realm="example.com", nonce="Zq1X0mWrVBcGfZm1kLzxTa3Rqg2XPdtT", qop="auth")");
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->realm, "example.com");
    EXPECT_EQ(challenge->nonce, "Zq1X0mWrVBcGfZm1kLzxTa3Rqg2XPdtT");
    EXPECT_TRUE(challenge->qop_auth);
    EXPECT_TRUE(challenge->opaque.empty());
}

TEST(RelayDigest, ParsesQopListsOpaqueAlgorithmAndEscapes)
{
    auto challenge = parse_digest_challenge(
        R"(digest realm="a \"quoted\" realm",qop="auth-int, auth",nonce=abc123,algorithm=MD5,opaque="5ccc")");
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->realm, "a \"quoted\" realm");
    EXPECT_EQ(challenge->nonce, "abc123");
    EXPECT_EQ(challenge->opaque, "5ccc");
    EXPECT_TRUE(challenge->qop_auth);
}

TEST(RelayDigest, RefusesOtherSchemesAlgorithmsAndIncompleteChallenges)
{
    EXPECT_FALSE(parse_digest_challenge(R"(Basic realm="x")"));
    EXPECT_FALSE(parse_digest_challenge(R"(Digest realm="x", nonce="n", algorithm=SHA-256)"));
    EXPECT_FALSE(parse_digest_challenge(R"(Digest realm="x")"));
    EXPECT_FALSE(parse_digest_challenge(R"(Digest nonce="n")"));
    EXPECT_FALSE(parse_digest_challenge(R"(Digest realm="x, nonce="n)"));
    EXPECT_FALSE(parse_digest_challenge(""));
}

// RFC 2617 3.5, the worked example.
TEST(RelayDigest, ResponseMatchesRfc2617Example)
{
    DigestChallenge challenge{"testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                              "5ccc069c403ebaf9f0171e9517f40e41", "", true};
    DigestCredentials credentials{"Mufasa", "Circle Of Life"};
    EXPECT_EQ(digest_response(credentials, challenge, "GET", "/dir/index.html", "00000001", "0a4f113b"),
              "6629fae49393a05397450978507c4ef1");
}

TEST(RelayDigest, AuthorizationHeaderCarriesEverythingTheServerChecks)
{
    DigestChallenge challenge{"example.com", "n0nce", "op4que", "", true};
    DigestCredentials credentials{"alice", "wonderland"};
    std::string uri = "msrp://127.0.0.1:12862;tcp";
    std::string header = authorization_header(credentials, challenge, "AUTH", uri, "c0nce");
    std::string expected = digest_response(credentials, challenge, "AUTH", uri, "00000001", "c0nce");
    EXPECT_EQ(header, "Digest username=\"alice\", realm=\"example.com\", nonce=\"n0nce\", uri=\"" + uri +
                          "\", response=\"" + expected +
                          "\", algorithm=MD5, qop=auth, nc=00000001, cnonce=\"c0nce\", opaque=\"op4que\"");
    // Without qop the RFC 2069 form: MD5(HA1:nonce:HA2), no nc or cnonce.
    challenge.qop_auth = false;
    challenge.opaque.clear();
    std::string ha1 = md5_hex("alice:example.com:wonderland");
    std::string ha2 = md5_hex("AUTH:" + uri);
    EXPECT_EQ(authorization_header(credentials, challenge, "AUTH", uri, "c0nce"),
              "Digest username=\"alice\", realm=\"example.com\", nonce=\"n0nce\", uri=\"" + uri + "\", response=\"" +
                  md5_hex(ha1 + ":n0nce:" + ha2) + "\", algorithm=MD5");
}

}  // namespace

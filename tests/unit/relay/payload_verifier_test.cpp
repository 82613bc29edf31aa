#include <gtest/gtest.h>

#include <string>

#include "msrp_relay/payload_verifier.hpp"

namespace {

using im::msrp_relay::PayloadVerifier;

TEST(RelayPayloadVerifier, AcceptsTheExpectedBytesInPieces)
{
    const std::string expected = "0123456789abcdef";
    PayloadVerifier verifier(expected);
    EXPECT_TRUE(verifier.append("0123"));
    EXPECT_FALSE(verifier.complete());
    EXPECT_TRUE(verifier.append(""));
    EXPECT_TRUE(verifier.append("456789abcde"));
    EXPECT_FALSE(verifier.complete());  // one byte missing
    EXPECT_EQ(verifier.received(), 15u);
    EXPECT_TRUE(verifier.append("f"));
    EXPECT_TRUE(verifier.complete());
    EXPECT_FALSE(verifier.mismatch());
}

TEST(RelayPayloadVerifier, ReportsTheFirstDifferingByte)
{
    const std::string expected = "0123456789";
    PayloadVerifier verifier(expected);
    EXPECT_TRUE(verifier.append("012"));
    EXPECT_FALSE(verifier.append("34X67"));
    ASSERT_TRUE(verifier.mismatch());
    EXPECT_EQ(*verifier.mismatch(), 5u);
    // Stays failed, even when the rest matches.
    EXPECT_FALSE(verifier.append("6789"));
    EXPECT_FALSE(verifier.complete());
}

TEST(RelayPayloadVerifier, SurplusBytesFail)
{
    const std::string expected = "abc";
    PayloadVerifier verifier(expected);
    EXPECT_FALSE(verifier.append("abcd"));
    ASSERT_TRUE(verifier.mismatch());
    EXPECT_EQ(*verifier.mismatch(), 3u);
    EXPECT_FALSE(verifier.complete());
}

TEST(RelayPayloadVerifier, DiscardTakesBackAnAbortedMessage)
{
    const std::string expected = "keepnext";
    PayloadVerifier verifier(expected);
    EXPECT_TRUE(verifier.append("keep"));
    EXPECT_FALSE(verifier.append("zzz"));  // an aborted streamed message
    verifier.discard(3);
    EXPECT_FALSE(verifier.mismatch());
    EXPECT_EQ(verifier.received(), 4u);
    EXPECT_TRUE(verifier.append("next"));
    EXPECT_TRUE(verifier.complete());
}

TEST(RelayPayloadVerifier, DiscardKeepsAnEarlierDifference)
{
    const std::string expected = "keepnext";
    PayloadVerifier verifier(expected);
    EXPECT_FALSE(verifier.append("kXep"));
    EXPECT_FALSE(verifier.append("zz"));
    verifier.discard(2);
    ASSERT_TRUE(verifier.mismatch());
    EXPECT_EQ(*verifier.mismatch(), 1u);
    EXPECT_FALSE(verifier.append("next"));
    EXPECT_FALSE(verifier.complete());
}

TEST(RelayPayloadVerifier, EmptyExpectationIsCompleteAtOnce)
{
    PayloadVerifier verifier(std::string_view{});
    EXPECT_TRUE(verifier.complete());
    EXPECT_FALSE(verifier.append("x"));
}

}  // namespace

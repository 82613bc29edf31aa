#include <gtest/gtest.h>

#include "im/net/trusted_peers.hpp"

using im::net::TrustedPeers;

TEST(TrustedPeers, AddressWithAndWithoutPort)
{
    auto peers = TrustedPeers::parse("127.0.0.1:5060, 10.0.0.7");
    ASSERT_TRUE(peers);
    EXPECT_TRUE(peers->contains("127.0.0.1", 5060));
    EXPECT_FALSE(peers->contains("127.0.0.1", 5061));
    EXPECT_TRUE(peers->contains("10.0.0.7", 1234));
    EXPECT_FALSE(peers->contains("10.0.0.8", 5060));
    EXPECT_EQ(peers->describe(), "127.0.0.1:5060,10.0.0.7");
}

TEST(TrustedPeers, PrefixesAndIpv6)
{
    auto peers = TrustedPeers::parse("192.168.4.0/22 [2001:db8::1]:5060 fd00::/8");
    ASSERT_TRUE(peers);
    EXPECT_TRUE(peers->contains("192.168.7.255", 1));
    EXPECT_FALSE(peers->contains("192.168.8.0", 1));
    EXPECT_TRUE(peers->contains("2001:db8::1", 5060));
    EXPECT_FALSE(peers->contains("2001:db8::1", 5070));
    EXPECT_TRUE(peers->contains("fd12::9", 7));
    EXPECT_FALSE(peers->contains("192.168.5.1.9", 1));  // not an address at all
}

TEST(TrustedPeers, RejectsMalformedEntries)
{
    std::string error;
    for (const char *bad : {"127.0.0.1:0", "127.0.0.1:70000", "300.1.1.1", "10.0.0.0/33", "example.com", "::1/129"}) {
        EXPECT_FALSE(TrustedPeers::parse(bad, &error)) << bad;
        EXPECT_NE(error.find("malformed"), std::string::npos);
    }
    auto none = TrustedPeers::parse("");
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    EXPECT_FALSE(none->contains("127.0.0.1", 5060));
}

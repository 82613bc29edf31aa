#include "im/sip/sdp.hpp"

#include <gtest/gtest.h>

#include <string>

using im::sip::MediaDirection;
using im::sip::parse_sdp;

namespace {

// RFC 4975 section 7.1's offer, with CRLF line ends.
const std::string kRfc4975Offer =
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 alice.example.com\r\n"
    "s= \r\n"
    "c=IN IP4 alice.example.com\r\n"
    "t=0 0\r\n"
    "m=message 7394 TCP/MSRP *\r\n"
    "a=accept-types:text/plain\r\n"
    "a=path:msrp://alice.example.com:7394/2s93i93idj;tcp\r\n";

}  // namespace

TEST(Sdp, ParsesTheRfc4975Offer)
{
    auto sd = parse_sdp(kRfc4975Offer);
    ASSERT_TRUE(sd.ok()) << sd.error().reason;
    ASSERT_EQ(sd->media.size(), 1u);
    const auto &m = sd->media[0];
    EXPECT_EQ(m.media, "message");
    EXPECT_EQ(m.port, 7394u);
    EXPECT_EQ(m.protocol, "TCP/MSRP");
    EXPECT_TRUE(m.is_msrp());
    ASSERT_EQ(m.formats.size(), 1u);
    EXPECT_EQ(m.formats[0], "*");
    EXPECT_EQ(m.attribute("accept-types"), "text/plain");
    EXPECT_EQ(m.attribute("path"), "msrp://alice.example.com:7394/2s93i93idj;tcp");
    EXPECT_FALSE(m.attribute("max-size"));
    EXPECT_EQ(sd->direction_of(m), MediaDirection::sendrecv);  // RFC 3264 5.1 default
}

TEST(Sdp, DirectionFromTheMediaThenTheSession)
{
    auto session_level = parse_sdp("v=0\na=sendonly\nm=message 1 TCP/MSRP *\nm=message 2 TCP/TLS/MSRP *\na=recvonly\n");
    ASSERT_TRUE(session_level.ok());
    EXPECT_EQ(session_level->direction_of(session_level->media[0]), MediaDirection::sendonly);
    EXPECT_EQ(session_level->direction_of(session_level->media[1]), MediaDirection::recvonly);
    EXPECT_TRUE(session_level->media[1].is_msrp());
    auto inactive = parse_sdp("v=0\r\nm=message 9 TCP/MSRP *\r\na=inactive\r\n");
    ASSERT_TRUE(inactive.ok());
    EXPECT_EQ(inactive->direction_of(inactive->media[0]), MediaDirection::inactive);
}

TEST(Sdp, PortRangesAndOtherMedia)
{
    auto sd = parse_sdp("v=0\nm=audio 49170/2 RTP/AVP 0 8\nm=message 0 TCP/MSRP *\n");
    ASSERT_TRUE(sd.ok());
    EXPECT_EQ(sd->media[0].port, 49170u);
    EXPECT_FALSE(sd->media[0].is_msrp());
    EXPECT_EQ(sd->media[0].formats.size(), 2u);
    EXPECT_EQ(sd->media[1].port, 0u);
}

TEST(Sdp, RefusesWhatIsNoSdp)
{
    for (const char *bad : {"", "\r\n", "hello", "v=1\r\n", "o=x\r\nv=0\r\n", "v=0\r\nM=message 1 TCP/MSRP *\r\n",
                            "v=0\r\nm=message 1 TCP/MSRP\r\n", "v=0\r\nm=message x TCP/MSRP *\r\n",
                            "v=0\r\nm=message 65536 TCP/MSRP *\r\n", "v=0\r\nm=message -1 TCP/MSRP *\r\n",
                            "v=0\r\nm=message 1/ TCP/MSRP *\r\n", "v=0\r\nab\r\n", "v=0\r\n=x\r\n"}) {
        auto sd = parse_sdp(bad);
        EXPECT_FALSE(sd.ok()) << bad;
    }
}

TEST(Sdp, LimitsBoundHostileInput)
{
    std::string many_media = "v=0\r\n";
    for (int i = 0; i < 40; ++i) many_media += "m=message 1 TCP/MSRP *\r\n";
    EXPECT_EQ(parse_sdp(many_media).error().kind, im::xml::ErrorKind::limit_exceeded);
    std::string many_lines = "v=0\r\n";
    for (int i = 0; i < 2000; ++i) many_lines += "a=x\r\n";
    EXPECT_EQ(parse_sdp(many_lines).error().kind, im::xml::ErrorKind::limit_exceeded);
    EXPECT_EQ(parse_sdp(std::string(70000, 'a')).error().kind, im::xml::ErrorKind::too_large);
    const std::string nul("v=0\r\na=\0x\r\n", 10);
    EXPECT_TRUE(parse_sdp(nul).ok());  // attribute bytes are opaque
}

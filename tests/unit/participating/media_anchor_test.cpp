#include "im/participating/media_anchor.hpp"

#include <gtest/gtest.h>

#include "im/sip/sdp.hpp"

using im::participating::anchor_sdp;
using im::participating::anchor_session_body;

namespace {

constexpr std::string_view kRelayB = "msrp://127.0.0.1:2855/bSide7;tcp";

const std::string kCallerOffer =
    "v=0\r\n"
    "o=alice 2890844526 2890844527 IN IP4 10.0.0.1\r\n"
    "s=-\r\n"
    "c=IN IP4 10.0.0.1\r\n"
    "t=0 0\r\n"
    "m=message 7394 TCP/MSRP *\r\n"
    "a=accept-types:text/plain message/cpim\r\n"
    "a=path:msrp://10.0.0.1:7394/2s93i9ek2a;tcp\r\n"
    "a=sendrecv\r\n";

}  // namespace

TEST(MediaAnchor, MsrpStreamGetsTheRelayPathHostPortAndSetup)
{
    auto r = anchor_sdp(kCallerOffer, kRelayB);
    ASSERT_TRUE(r.ok()) << r.error().reason;
    EXPECT_EQ(r.value(),
              "v=0\r\n"
              "o=alice 2890844526 2890844527 IN IP4 10.0.0.1\r\n"
              "s=-\r\n"
              "c=IN IP4 10.0.0.1\r\n"
              "t=0 0\r\n"
              "m=message 2855 TCP/MSRP *\r\n"
              "c=IN IP4 127.0.0.1\r\n"
              "a=accept-types:text/plain message/cpim\r\n"
              "a=sendrecv\r\n"
              "a=path:msrp://127.0.0.1:2855/bSide7;tcp\r\n"
              "a=setup:passive\r\n");
    // What comes out is a valid offer whose stream still reads the same.
    auto sdp = im::sip::parse_sdp(r.value());
    ASSERT_TRUE(sdp.ok());
    ASSERT_EQ(sdp->media.size(), 1u);
    EXPECT_EQ(sdp->media[0].attribute("path"), "msrp://127.0.0.1:2855/bSide7;tcp");
    EXPECT_EQ(sdp->media[0].attribute("accept-types"), "text/plain message/cpim");
    EXPECT_EQ(sdp->direction_of(sdp->media[0]), im::sip::MediaDirection::sendrecv);
}

TEST(MediaAnchor, AnchoringTwiceGivesTheSameDescription)
{
    auto once = anchor_sdp(kCallerOffer, kRelayB);
    ASSERT_TRUE(once.ok());
    auto twice = anchor_sdp(once.value(), kRelayB);
    ASSERT_TRUE(twice.ok());
    EXPECT_EQ(once.value(), twice.value());
}

TEST(MediaAnchor, OwnConnectionLineAndSetupAreReplacedAndInfoKeptFirst)
{
    const std::string sdp =
        "v=0\no=- 1 1 IN IP4 h\ns=-\nt=0 0\n"
        "m=message 9 TCP/TLS/MSRP *\ni=chat\nc=IN IP6 ::9\nb=AS:64\n"
        "a=setup:active\na=path:msrps://[::9]:9/x;tcp\na=accept-types:*\n";
    auto r = anchor_sdp(sdp, "msrps://[::1]:2856/aSide;tcp");
    ASSERT_TRUE(r.ok()) << r.error().reason;
    EXPECT_EQ(r.value(),
              "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nt=0 0\r\n"
              "m=message 2856 TCP/TLS/MSRP *\r\ni=chat\r\nc=IN IP6 ::1\r\nb=AS:64\r\n"
              "a=accept-types:*\r\na=path:msrps://[::1]:2856/aSide;tcp\r\na=setup:passive\r\n");
}

TEST(MediaAnchor, DeclinedAndOtherStreamsAreLeftAlone)
{
    const std::string sdp =
        "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
        "m=audio 0 RTP/AVP 0\r\n"
        "m=message 0 TCP/MSRP *\r\na=path:msrp://10.0.0.2:1/old;tcp\r\n"
        "m=message 5000 TCP/MSRP *\r\na=path:msrp://10.0.0.2:5000/new;tcp\r\n";
    auto r = anchor_sdp(sdp, kRelayB);
    ASSERT_TRUE(r.ok());
    EXPECT_NE(r.value().find("m=audio 0 RTP/AVP 0\r\n"), std::string::npos);
    EXPECT_NE(r.value().find("m=message 0 TCP/MSRP *\r\na=path:msrp://10.0.0.2:1/old;tcp\r\n"), std::string::npos);
    EXPECT_NE(r.value().find("m=message 2855 TCP/MSRP *\r\nc=IN IP4 127.0.0.1\r\na=path:" + std::string(kRelayB)),
              std::string::npos);
    EXPECT_EQ(r.value().find("/new;tcp"), std::string::npos);
}

TEST(MediaAnchor, BadInputIsAnErrorNotAGuess)
{
    EXPECT_FALSE(anchor_sdp("not sdp at all", kRelayB).ok());
    EXPECT_FALSE(anchor_sdp(kCallerOffer, "msrp://127.0.0.1/noport;tcp").ok());
    EXPECT_FALSE(anchor_sdp(kCallerOffer, "msrp://127.0.0.1:2855;tcp").ok());  // no session id
    EXPECT_FALSE(anchor_sdp(kCallerOffer, "").ok());
}

TEST(MediaAnchor, BodyOfApplicationSdpIsReplacedWhole)
{
    auto r = anchor_session_body("application/sdp", kCallerOffer, kRelayB);
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(r.value().has_value());
    EXPECT_EQ(r.value()->offset, 0u);
    EXPECT_EQ(r.value()->length, kCallerOffer.size());
    EXPECT_EQ(r.value()->text, anchor_sdp(kCallerOffer, kRelayB).value());
}

TEST(MediaAnchor, OnlyTheSdpPartOfAMultipartBodyIsReplaced)
{
    const std::string list =
        "<?xml version=\"1.0\"?><resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">"
        "<list><entry uri=\"sip:bob@example.com\"/></list></resource-lists>";
    const std::string body = "--b1\r\nContent-Type: application/sdp\r\n\r\n" + kCallerOffer +
                             "\r\n--b1\r\nContent-Type: application/resource-lists+xml\r\n"
                             "Content-Disposition: recipient-list\r\n\r\n" + list + "\r\n--b1--\r\n";
    auto r = anchor_session_body("multipart/mixed;boundary=b1", body, kRelayB);
    ASSERT_TRUE(r.ok()) << r.error().reason;
    ASSERT_TRUE(r.value().has_value());
    const auto &edit = *r.value();
    EXPECT_EQ(body.substr(edit.offset, edit.length), kCallerOffer);
    std::string edited = body;
    edited.replace(edit.offset, edit.length, edit.text);
    EXPECT_NE(edited.find("a=path:msrp://127.0.0.1:2855/bSide7;tcp"), std::string::npos);
    EXPECT_NE(edited.find(list), std::string::npos);
}

TEST(MediaAnchor, NoSdpMeansNothingToDo)
{
    auto none = anchor_session_body("application/sdp", "", kRelayB);
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none.value().has_value());
    auto other = anchor_session_body("text/plain", "hello", kRelayB);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(other.value().has_value());
}

#include "im/participating/session_media.hpp"

#include <gtest/gtest.h>

#include "request_fixture.hpp"

using im::participating::check_session_modification;
using im::participating::read_session_offer;
using im::participating::require_media_policy;
using im::participating::SessionKind;
using im::test::core_invite;
using im::test::msrp_offer;

namespace {

im::store::EffectivePolicy text_only(std::optional<std::int64_t> max_size = std::nullopt)
{
    im::store::EffectivePolicy p;
    p.content_types = std::vector<std::string>{"text/*"};
    p.max_size = max_size;
    return p;
}

}  // namespace

TEST(SessionMedia, Step4a_SendrecvIsAnImSession)
{
    const std::string sdp = msrp_offer("a=sendrecv");
    auto r = read_session_offer(core_invite(sdp));
    ASSERT_TRUE(r.verdict.proceed());
    EXPECT_EQ(r.offer->kind, SessionKind::conversation);
    EXPECT_EQ(r.offer->content_types, std::vector<std::string>{"text/plain"});
    EXPECT_EQ(access_kind_of(*r.offer), im::store::AccessKind::session);
    const std::string no_direction = msrp_offer("");
    EXPECT_EQ(read_session_offer(core_invite(no_direction)).offer->kind, SessionKind::conversation);
}

TEST(SessionMedia, Step4b_SendonlyIsLargeMessageModeWithItsSize)
{
    const std::string sdp = msrp_offer("a=sendonly", "a=filesize:5000\r\n");
    auto r = read_session_offer(core_invite(sdp));
    ASSERT_TRUE(r.verdict.proceed());
    EXPECT_EQ(r.offer->kind, SessionKind::large_message);
    EXPECT_EQ(r.offer->message_size, 5000);
    EXPECT_EQ(access_kind_of(*r.offer), im::store::AccessKind::pager);

    const std::string selector = msrp_offer("a=sendonly", "a=file-selector:name:\"a b.jpg\" type:image/jpeg size:32349\r\n");
    auto s = read_session_offer(core_invite(selector));
    ASSERT_TRUE(s.verdict.proceed());
    EXPECT_EQ(s.offer->message_size, 32349);
    EXPECT_EQ(s.offer->content_types, (std::vector<std::string>{"text/plain", "image/jpeg"}));
}

TEST(SessionMedia, RecvonlyRetrievesAndInactiveCannotStart)
{
    const std::string recv = msrp_offer("a=recvonly");
    EXPECT_EQ(read_session_offer(core_invite(recv)).offer->kind, SessionKind::retrieval);
    const std::string inactive = msrp_offer("a=inactive");
    EXPECT_EQ(read_session_offer(core_invite(inactive)).verdict.code, 488);
    auto reinvite = core_invite(inactive);
    reinvite.to_tag = "b1";
    EXPECT_TRUE(read_session_offer(reinvite).verdict.proceed());  // hold in a dialog is fine
}

TEST(SessionMedia, OfferErrors_415_400_488)
{
    auto text = core_invite("");
    text.content_type = "text/plain";
    text.body = "hi";
    EXPECT_EQ(read_session_offer(text).verdict.code, 415);

    const std::string broken = "v=0\r\nm=message\r\n";
    auto r = read_session_offer(core_invite(broken));
    EXPECT_EQ(r.verdict.code, 400);
    EXPECT_EQ(r.verdict.rejection, im::Rejection::malformed);

    EXPECT_EQ(read_session_offer(core_invite("")).verdict.code, 488);  // no offer in the initial INVITE

    const std::string audio = "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio 4000 RTP/AVP 0\r\n";
    auto a = read_session_offer(core_invite(audio));
    EXPECT_EQ(a.verdict.code, 488);
    EXPECT_EQ(a.verdict.rejection, im::Rejection::media);
    EXPECT_EQ(a.verdict.warning.rfind("304 ", 0), 0u);

    const std::string msrp_and_audio = msrp_offer("a=sendrecv", "m=audio 4000 RTP/AVP 0\r\n");
    EXPECT_EQ(read_session_offer(core_invite(msrp_and_audio)).verdict.code, 488);
    const std::string declined_audio = msrp_offer("a=sendrecv", "m=audio 0 RTP/AVP 0\r\n");
    EXPECT_TRUE(read_session_offer(core_invite(declined_audio)).verdict.proceed());
}

TEST(SessionMedia, TheSdpPartOfAMultipartBody)
{
    const std::string body = "--b\r\nContent-Type: application/sdp\r\n\r\n" + msrp_offer("a=sendonly") +
                             "\r\n--b\r\nContent-Type: application/resource-lists+xml\r\nContent-Disposition: recipient-list\r\n\r\n<x/>\r\n--b--\r\n";
    auto request = core_invite(body);
    request.content_type = "multipart/mixed;boundary=b";
    auto r = read_session_offer(request);
    ASSERT_TRUE(r.verdict.proceed()) << r.verdict.reason;
    EXPECT_EQ(r.offer->kind, SessionKind::large_message);
}

TEST(SessionMedia, PolicyOnContentTypesAndLargeMessageSize)
{
    const std::string plain = msrp_offer();
    EXPECT_TRUE(require_media_policy(*read_session_offer(core_invite(plain)).offer, text_only()).proceed());

    const std::string images = msrp_offer("a=sendrecv", "a=accept-wrapped-types:image/png\r\n");
    auto v = require_media_policy(*read_session_offer(core_invite(images)).offer, text_only());
    EXPECT_EQ(v.code, 488);
    EXPECT_EQ(v.warning.rfind("305 IM-serv", 0), 0u);
    EXPECT_NE(v.warning.find("image/png"), std::string::npos);

    std::string cpim = msrp_offer("a=sendrecv", "a=accept-types:message/cpim\r\na=accept-wrapped-types:text/plain\r\n");
    EXPECT_TRUE(require_media_policy(*read_session_offer(core_invite(cpim)).offer, text_only()).proceed());

    const std::string any = msrp_offer("a=sendrecv", "a=accept-types:*\r\n");
    EXPECT_EQ(require_media_policy(*read_session_offer(core_invite(any)).offer, text_only()).code, 488);
    EXPECT_TRUE(require_media_policy(*read_session_offer(core_invite(any)).offer, {}).proceed());

    const std::string big = msrp_offer("a=sendonly", "a=filesize:5000\r\n");
    EXPECT_EQ(require_media_policy(*read_session_offer(core_invite(big)).offer, text_only(4096)).code, 488);
    EXPECT_TRUE(require_media_policy(*read_session_offer(core_invite(big)).offer, text_only(5000)).proceed());
}

TEST(SessionMedia, Modification_6_2_3_3_Step1)
{
    const std::string audio = msrp_offer("a=sendrecv", "m=audio 4000 RTP/AVP 0\r\n");
    auto reinvite = core_invite(audio);
    reinvite.to_tag = "b1";
    EXPECT_EQ(check_session_modification(reinvite, {}).code, 488);
    auto update = reinvite;
    update.method = "UPDATE";
    EXPECT_EQ(check_session_modification(update, {}).code, 488);
    update.body = "";
    EXPECT_TRUE(check_session_modification(update, {}).proceed());  // no offer, nothing to check
    const std::string images = msrp_offer("a=sendrecv", "a=accept-types:image/png\r\n");
    reinvite.body = images;
    EXPECT_EQ(check_session_modification(reinvite, text_only()).code, 488);
    EXPECT_TRUE(check_session_modification(reinvite, {}).proceed());
}

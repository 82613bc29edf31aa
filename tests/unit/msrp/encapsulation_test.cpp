#include <gtest/gtest.h>

#include <random>

#include "im/msrp/encapsulation.hpp"
#include "im/msrp/parser.hpp"
#include "im/xml/multipart.hpp"

namespace {

using im::msrp::StoredMessage;

im::msrp::RandomSource seeded(std::uint64_t seed)
{
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine] { return (*engine)(); };
}

StoredMessage stored_send()
{
    StoredMessage message;
    message.session = "s1";
    message.owner = "sip:user2@imserver.com";
    message.message_id = "msg456";
    message.transaction_id = "dkei38sd";
    message.headers = "To-Path: msrp://imserver.com:12763/kjhd37s2s2;tcp\r\n"
                      "From-Path: msrp://user1.imserver.com:7654/jshA7we;tcp\r\n"
                      "Message-ID: msg456\r\n";
    message.content_type = "text/plain";
    message.body = "Hi, Alice!  I'm Bob!";
    message.received_at_ms = 1109000523000;  // Mon, 21 Feb 2005 15:42:03 GMT
    return message;
}

TEST(MsrpEncapsulation, HttpDateIsRfc1123InGmt)
{
    EXPECT_EQ(im::msrp::http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    EXPECT_EQ(im::msrp::http_date(1014296523999), "Thu, 21 Feb 2002 13:02:03 GMT");
}

TEST(MsrpEncapsulation, RebuildsTheStoredSendAsReceivedWithTheReceiveDate)
{
    std::string rebuilt = im::msrp::rebuild_send(stored_send());
    EXPECT_EQ(rebuilt, "MSRP dkei38sd SEND\r\n"
                       "To-Path: msrp://imserver.com:12763/kjhd37s2s2;tcp\r\n"
                       "From-Path: msrp://user1.imserver.com:7654/jshA7we;tcp\r\n"
                       "Message-ID: msg456\r\n"
                       "Date: Mon, 21 Feb 2005 15:42:03 GMT\r\n"
                       "Content-Type: text/plain\r\n"
                       "\r\n"
                       "Hi, Alice!  I'm Bob!\r\n"
                       "-------dkei38sd$\r\n");
    // It is a valid MSRP frame carrying the original Message-ID and body.
    im::msrp::Parser parser;
    std::vector<im::msrp::Frame> frames;
    ASSERT_TRUE(parser.feed(rebuilt, frames));
    ASSERT_EQ(frames.size(), 1u);
    const auto &send = std::get<im::msrp::Request>(frames[0]);
    EXPECT_EQ(send.fields.find<im::msrp::MessageId>()->value, "msg456");
    EXPECT_EQ(*send.fields.find_header("Date"), "Mon, 21 Feb 2005 15:42:03 GMT");
    EXPECT_EQ(send.body->bytes, "Hi, Alice!  I'm Bob!");
}

TEST(MsrpEncapsulation, AStoredSendGoesOutAsMultipartMixedWithOneMessageMsrpPart)
{
    StoredMessage message = stored_send();
    im::msrp::Body body = im::msrp::encapsulate_stored(message, seeded(1));
    ASSERT_TRUE(body.content_type.starts_with("multipart/mixed; boundary=\"im-")) << body.content_type;
    auto parts = im::xml::split_multipart(body.content_type, body.bytes);
    ASSERT_TRUE(parts.ok());
    ASSERT_EQ(parts.value().size(), 1u);
    EXPECT_EQ(parts.value()[0].media_type(), "message/msrp");
    EXPECT_EQ(parts.value()[0].body, im::msrp::rebuild_send(message));
}

TEST(MsrpEncapsulation, TheBoundaryNeverOccursInTheMessage)
{
    StoredMessage message = stored_send();
    // The boundary the same seed draws first, planted in the body.
    std::string first = im::msrp::encapsulate_stored(message, seeded(7)).content_type;
    std::string boundary = first.substr(first.find('"') + 1, first.rfind('"') - first.find('"') - 1);
    message.body = "--" + boundary + "\r\n";
    im::msrp::Body body = im::msrp::encapsulate_stored(message, seeded(7));
    EXPECT_EQ(body.content_type.find(boundary), std::string::npos);
    auto parts = im::xml::split_multipart(body.content_type, body.bytes);
    ASSERT_TRUE(parts.ok());
    ASSERT_EQ(parts.value().size(), 1u);
    EXPECT_EQ(parts.value()[0].body, im::msrp::rebuild_send(message));
}

TEST(MsrpEncapsulation, AStoredSipMessageGoesOutAsMessageSipWithDateAdded)
{
    StoredMessage message;
    message.kind = "sip";
    message.message_id = "asd88asd77a@1.2.3.4";
    message.headers = "MESSAGE sip:user2@imserver.com SIP/2.0\r\n"
                      "Via: SIP/2.0/TCP user1pc.imserver.com;branch=z9hG4bK776sgdkse\r\n"
                      "Max-Forwards: 70\r\n"
                      "From: sip:user1@imserver.com;tag=49583\r\n"
                      "To: sip:user2@imserver.com\r\n"
                      "Call-ID: asd88asd77a@1.2.3.4\r\n"
                      "CSeq: 1 MESSAGE\r\n"
                      "Content-Type: text/plain\r\n"
                      "Content-Length: 18\r\n";
    message.content_type = "text/plain";
    message.body = "Watson, come here.";
    message.received_at_ms = 1014296523000;
    im::msrp::Body body = im::msrp::encapsulate_stored(message, seeded(1));
    EXPECT_EQ(body.content_type, "message/sip");
    EXPECT_EQ(body.bytes, "MESSAGE sip:user2@imserver.com SIP/2.0\r\n"
                          "Date: Thu, 21 Feb 2002 13:02:03 GMT\r\n"
                          "Via: SIP/2.0/TCP user1pc.imserver.com;branch=z9hG4bK776sgdkse\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: sip:user1@imserver.com;tag=49583\r\n"
                          "To: sip:user2@imserver.com\r\n"
                          "Call-ID: asd88asd77a@1.2.3.4\r\n"
                          "CSeq: 1 MESSAGE\r\n"
                          "Content-Type: text/plain\r\n"
                          "Content-Length: 18\r\n"
                          "\r\n"
                          "Watson, come here.");
    // A Date it already had is kept, not doubled.
    message.headers += "date: Wed, 20 Feb 2002 10:00:00 GMT\r\n";
    EXPECT_EQ(im::msrp::encapsulate_stored(message, seeded(1)).bytes.find("Thu, 21 Feb"), std::string::npos);
}

}  // namespace

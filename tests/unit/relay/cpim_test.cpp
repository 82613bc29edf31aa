#include <gtest/gtest.h>

#include "msrp_relay/cpim.hpp"

namespace {

using namespace im::msrp_relay;

TEST(RelayCpim, WrapsAPayloadWithTheStamp)
{
    CpimStamp stamp{"sip:alice@example.com", "Bob <sip:bob@example.com>", "2026-01-01T00:00:00Z"};
    EXPECT_EQ(wrap_cpim(stamp, "text/plain", "hi"),
              "From: <sip:alice@example.com>\r\nTo: Bob <sip:bob@example.com>\r\nDateTime: 2026-01-01T00:00:00Z\r\n"
              "\r\nContent-Type: text/plain\r\n\r\nhi");
    stamp.to.clear();
    EXPECT_EQ(wrap_cpim(stamp, "text/plain", ""),
              "From: <sip:alice@example.com>\r\nDateTime: 2026-01-01T00:00:00Z\r\n\r\nContent-Type: text/plain\r\n\r\n");
}

TEST(RelayCpim, ParsesHeadersAndPayloadType)
{
    auto message = parse_cpim("From: <sip:a@example.com>\r\nSubject:  hi \r\n\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody");
    ASSERT_TRUE(message);
    ASSERT_EQ(message->headers.size(), 2u);
    EXPECT_EQ(message->headers[1].name, "Subject");
    EXPECT_EQ(message->headers[1].value, "hi");
    EXPECT_EQ(message->payload_type(), "text/plain");
    EXPECT_EQ(message->mime_part, "Content-Type: text/plain; charset=utf-8\r\n\r\nbody");
}

TEST(RelayCpim, RefusesWhatIsNotCpim)
{
    EXPECT_FALSE(parse_cpim("hello"));
    EXPECT_FALSE(parse_cpim("From <sip:a@example.com>\r\n\r\n"));
    EXPECT_FALSE(parse_cpim(": empty name\r\n\r\n"));
    EXPECT_FALSE(parse_cpim("From: <sip:a@example.com>\r\n"));
    auto no_type = parse_cpim("\r\nno headers at all");
    ASSERT_TRUE(no_type);
    EXPECT_EQ(no_type->payload_type(), "");
}

TEST(RelayCpim, RestampReplacesFromToDateTimeAndKeepsTheRest)
{
    auto message = parse_cpim("from: <sip:mallory@example.com>\r\nTo: <sip:x@example.com>\r\nDateTime: 1999-01-01T00:00:00Z\r\n"
                              "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n\r\nContent-Type: text/plain\r\n\r\nhello");
    ASSERT_TRUE(message);
    EXPECT_EQ(restamp_cpim(*message, {"sip:alice@example.com", "", "2026-01-01T00:00:00Z"}),
              "From: <sip:alice@example.com>\r\nDateTime: 2026-01-01T00:00:00Z\r\n"
              "NS: MyFeatures <mid:MessageFeatures@id.foo.com>\r\n\r\nContent-Type: text/plain\r\n\r\nhello");
}

}  // namespace

#include <gtest/gtest.h>

#include <string>

#include "im/relay/control_protocol.hpp"

namespace {

using namespace im::relay;

ControlRequest parsed_request(std::string_view line)
{
    auto request = parse_request(line);
    EXPECT_TRUE(request.ok()) << "line: " << line << " error: " << (request.ok() ? "" : request.error().text);
    return request.ok() ? request.value() : ControlRequest{};
}

std::string request_error(std::string_view line)
{
    auto request = parse_request(line);
    EXPECT_FALSE(request.ok()) << "line unexpectedly parsed: " << line;
    return request.ok() ? std::string() : request.error().text;
}

RelayStatus sample_status()
{
    RelayStatus status;
    status.uptime_seconds = 42;
    status.connections = 3;
    status.bytes_in = 1234;
    status.bytes_out = 56;
    status.listen = "127.0.0.1:2855";
    status.messages_in = 7;
    status.messages_out = 9;
    status.counters = {{"errors.malformed", 1}, {"timeouts.sessions", 2}};
    return status;
}

}  // namespace

TEST(ControlProtocolEncoding, EncodesSpaceEqualsPercentAndControlBytesOnly)
{
    EXPECT_EQ(percent_encode("a b=c%d\r\n\x01\x7f"), "a%20b%3Dc%25d%0D%0A%01%7F");
    EXPECT_EQ(percent_encode("sip:alice@example.com;tag=x"), "sip:alice@example.com;tag%3Dx");
    EXPECT_EQ(percent_encode("h\xc3\xa9llo"), "h\xc3\xa9llo");  // UTF-8 passes through
    EXPECT_EQ(percent_encode(""), "");
}

TEST(ControlProtocolEncoding, DecodesEitherCaseAndRejectsBrokenEscapes)
{
    EXPECT_EQ(percent_decode("a%20b%3dc%25").value(), "a b=c%");
    EXPECT_EQ(percent_decode("%41%7e").value(), "A~");
    EXPECT_FALSE(percent_decode("%").ok());
    EXPECT_FALSE(percent_decode("%4").ok());
    EXPECT_FALSE(percent_decode("%zz").ok());
    EXPECT_FALSE(percent_decode("abc%2").ok());
}

TEST(ControlProtocolEncoding, EveryByteRoundTrips)
{
    std::string all;
    for (int byte = 0; byte < 256; ++byte) all.push_back(static_cast<char>(byte));
    std::string encoded = percent_encode(all);
    EXPECT_EQ(encoded.find_first_of(" =\r\n"), std::string::npos);
    EXPECT_EQ(percent_decode(encoded).value(), all);
}

TEST(ControlProtocolRequest, ParsesCommandAndArguments)
{
    EXPECT_EQ(parsed_request("STATUS"), (ControlRequest{"STATUS", {}}));
    EXPECT_EQ(parsed_request("STATUS\n"), (ControlRequest{"STATUS", {}}));
    EXPECT_EQ(parsed_request("HELLO 1\n"), (ControlRequest{"HELLO", {"1"}}));
    EXPECT_EQ(parsed_request("X a%20b c%3Dd"), (ControlRequest{"X", {"a b", "c=d"}}));
}

TEST(ControlProtocolRequest, RoundTripsThroughSerialize)
{
    ControlRequest request{"SESSION_OPEN", {"id with space", "k=v", "100%", "line\nbreak"}};
    std::string line = serialize_request(request);
    EXPECT_EQ(line, "SESSION_OPEN id%20with%20space k%3Dv 100%25 line%0Abreak\n");
    EXPECT_EQ(parsed_request(line), request);
}

TEST(ControlProtocolRequest, RejectsMalformedLines)
{
    EXPECT_EQ(request_error(""), "empty line");
    EXPECT_EQ(request_error("\n"), "empty line");
    EXPECT_EQ(request_error(" STATUS"), "tokens must be separated by single spaces");
    EXPECT_EQ(request_error("STATUS "), "tokens must be separated by single spaces");
    EXPECT_EQ(request_error("HELLO  1"), "tokens must be separated by single spaces");
    EXPECT_EQ(request_error("STATUS\r\n"), "control character in line");
    EXPECT_EQ(request_error("STATUS\nPING\n"), "control character in line");
    EXPECT_EQ(request_error("HELLO\t1"), "control character in line");
    EXPECT_EQ(request_error("HEL/LO 1"), "malformed command");
    EXPECT_EQ(request_error("ST%41TUS"), "malformed command");
    EXPECT_EQ(request_error("HELLO %G1"), "bad percent-encoding");
}

TEST(ControlProtocolRequest, LineLengthLimitIsExclusiveOfTheLineFeed)
{
    std::string longest = "PING " + std::string(kMaxControlLineBytes - 5, 'a');
    ASSERT_EQ(longest.size(), kMaxControlLineBytes);
    EXPECT_TRUE(parse_request(longest + "\n").ok());
    EXPECT_EQ(request_error(longest + "a\n"), "line too long");
    EXPECT_EQ(parse_reply(std::string(kMaxControlLineBytes + 1, 'O')).error().text, "line too long");
}

TEST(ControlProtocolReply, OkRoundTripsWithEncodedValues)
{
    ControlReply reply = ControlReply::success({{"a", "1"}, {"text", "x y=z%\r\n"}, {"empty", ""}});
    std::string line = serialize_reply(reply);
    EXPECT_EQ(line, "OK a=1 text=x%20y%3Dz%25%0D%0A empty=\n");
    auto parsed = parse_reply(line);
    ASSERT_TRUE(parsed.ok()) << parsed.error().text;
    EXPECT_EQ(parsed.value(), reply);
    EXPECT_EQ(serialize_reply(ControlReply::success()), "OK\n");
    EXPECT_EQ(parse_reply("OK").value(), ControlReply::success());
}

TEST(ControlProtocolReply, ErrRoundTripsWithFreeText)
{
    ControlReply reply = ControlReply::error(501, "unknown command");
    EXPECT_EQ(serialize_reply(reply), "ERR 501 unknown command\n");
    EXPECT_EQ(parse_reply("ERR 501 unknown command\n").value(), reply);
    EXPECT_EQ(parse_reply("ERR 400").value(), ControlReply::error(400, ""));
    // Control bytes in the text cannot break the line.
    EXPECT_EQ(serialize_reply(ControlReply::error(400, "two\nlines")), "ERR 400 two lines\n");
}

TEST(ControlProtocolReply, RejectsMalformedReplies)
{
    for (std::string_view line :
         {"", "YES", "OKAY", "OK ", "OK  a=1", "OK a", "OK =1", "OK a=1=2", "OK a=%zz", "OK k!y=1", "ERR", "ERR 40",
          "ERR 4000 x", "ERR abc x", "ERR 099 x", "ERR 400x", "OK a=1\r"}) {
        EXPECT_FALSE(parse_reply(line).ok()) << "accepted: " << line;
    }
}

TEST(ControlProtocolReply, FindReturnsFirstValueOrNull)
{
    ControlReply reply = ControlReply::success({{"a", "1"}, {"b", "2"}, {"a", "3"}});
    ASSERT_NE(reply.find("a"), nullptr);
    EXPECT_EQ(*reply.find("a"), "1");
    EXPECT_EQ(*reply.find("b"), "2");
    EXPECT_EQ(reply.find("c"), nullptr);
}

TEST(ControlProtocolStatus, ReplyCarriesEveryCounterAndReadsBack)
{
    ControlReply reply = status_reply(sample_status());
    EXPECT_EQ(serialize_reply(reply),
              "OK protocol=1 uptime=42 connections=3 sessions=0 bytes_in=1234 bytes_out=56 listen=127.0.0.1:2855 "
              "messages_in=7 messages_out=9 errors.malformed=1 timeouts.sessions=2\n");
    auto status = read_status(parse_reply(serialize_reply(reply)).value());
    ASSERT_TRUE(status.ok()) << status.error().text;
    EXPECT_EQ(status.value(), sample_status());
}

TEST(ControlProtocolStatus, RepliesOfOlderRelaysReadWithZeroMessageCounters)
{
    auto status = read_status(
        parse_reply("OK protocol=1 uptime=1 connections=0 sessions=0 bytes_in=0 bytes_out=0 listen=127.0.0.1:2855")
            .value());
    ASSERT_TRUE(status.ok()) << status.error().text;
    EXPECT_EQ(status.value().messages_in, 0u);
    EXPECT_TRUE(status.value().counters.empty());
}

TEST(ControlProtocolStatus, ReadStatusExplainsWhatIsMissing)
{
    EXPECT_EQ(read_status(ControlReply::error(501, "unknown command")).error().text,
              "relay answered ERR 501 unknown command");
    EXPECT_EQ(read_status(parse_reply("OK uptime=1 connections=x").value()).error().text,
              "STATUS reply lacks a numeric connections");
    EXPECT_EQ(
        read_status(parse_reply("OK uptime=1 connections=0 sessions=0 bytes_in=0 bytes_out=0").value()).error().text,
        "STATUS reply lacks listen");
}

TEST(ControlProtocolAnswer, HelloNegotiatesVersionOne)
{
    EXPECT_EQ(serialize_reply(answer_line("HELLO 1\n", "0.1.0", sample_status())),
              "OK protocol=1 server=im-msrp-relay/0.1.0\n");
    EXPECT_EQ(answer_line("HELLO 2\n", "0.1.0", sample_status()).error_code, kErrVersionNotSupported);
    EXPECT_EQ(answer_line("HELLO 0\n", "0.1.0", sample_status()).error_code, kErrVersionNotSupported);
    EXPECT_EQ(answer_line("HELLO one\n", "0.1.0", sample_status()).error_code, kErrMalformed);
    EXPECT_EQ(answer_line("HELLO\n", "0.1.0", sample_status()).error_code, kErrMalformed);
    EXPECT_EQ(answer_line("HELLO 1 2\n", "0.1.0", sample_status()).error_code, kErrMalformed);
}

TEST(ControlProtocolAnswer, StatusAndPing)
{
    EXPECT_EQ(answer_line("STATUS\n", "0.1.0", sample_status()), status_reply(sample_status()));
    EXPECT_EQ(serialize_reply(answer_line("PING\n", "0.1.0", sample_status())), "OK\n");
    EXPECT_EQ(answer_line("STATUS now\n", "0.1.0", sample_status()).error_code, kErrMalformed);
    EXPECT_EQ(answer_line("PING x\n", "0.1.0", sample_status()).error_code, kErrMalformed);
}

TEST(ControlProtocolAnswer, UnknownAndMalformed)
{
    EXPECT_EQ(serialize_reply(answer_line("SHUTDOWN\n", "0.1.0", sample_status())), "ERR 501 unknown command\n");
    EXPECT_EQ(serialize_reply(answer_line("status\n", "0.1.0", sample_status())), "ERR 501 unknown command\n");
    EXPECT_EQ(serialize_reply(answer_line("PING  \n", "0.1.0", sample_status())),
              "ERR 400 tokens must be separated by single spaces\n");
    EXPECT_EQ(serialize_reply(answer_line(std::string(kMaxControlLineBytes + 1, 'P'), "0.1.0", sample_status())),
              "ERR 400 line too long\n");
}

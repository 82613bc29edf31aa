// The RFC 4975 / RFC 4976 examples through the parser and the serializer:
// byte-exact round trips, every split point, one byte at a time.
#include <gtest/gtest.h>

#include "msrp/msrp_test_support.hpp"

#include <string>
#include <vector>

#include "im/msrp/parser.hpp"
#include "im/msrp/serializer.hpp"

namespace {

using namespace im::msrp;

using im::msrp::testing::crlf;

struct Example {
    const char *name;
    std::string wire;
};

// RFC 4975 section 4, figure 2.
const std::string kFigure2Send = crlf(
    "MSRP a786hjs2 SEND\n"
    "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\n"
    "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\n"
    "Message-ID: 87652491\n"
    "Byte-Range: 1-25/25\n"
    "Content-Type: text/plain\n"
    "\n"
    "Hey Bob, are you there?\n"
    "-------a786hjs2$\n");

const std::string kFigure2Ok = crlf(
    "MSRP a786hjs2 200 OK\n"
    "To-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\n"
    "From-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\n"
    "-------a786hjs2$\n");

// RFC 4975 11.1, messages 4 to 7.
const std::string &kBasicSend = im::msrp::testing::kRfc4975BasicSend;

const std::string kBasicOk = crlf(
    "MSRP d93kswow 200 OK\n"
    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "-------d93kswow$\n");

const std::string kBasicReply = crlf(
    "MSRP dkei38sd SEND\n"
    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "Message-ID: 456s9wlk3\n"
    "Byte-Range: 1-21/21\n"
    "Content-Type: text/plain\n"
    "\n"
    "Hi, Alice!  I'm Bob!\n"
    "-------dkei38sd$\n");

const std::string kBasicReplyOk = crlf(
    "MSRP dkei38sd 200 OK\n"
    "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
    "-------dkei38sd$\n");

// RFC 4975 11.2.
const std::string kXhtml = crlf(
    "MSRP dsdfoe38sd SEND\n"
    "To-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "Message-ID: 456so39s\n"
    "Byte-Range: 1-374/374\n"
    "Content-Type: application/xhtml+xml\n"
    "\n"
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE html\n"
    "  PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\"\n"
    "  \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n"
    "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
    "  <head>\n"
    "    <title>FY2005 Results</title>\n"
    "  </head>\n"
    "  <body>\n"
    "    <p>See the results at <a\n"
    "    href=\"http://example.org/\">example.org</a>.</p>\n"
    "  </body>\n"
    "</html>\n"
    "-------dsdfoe38sd$\n");

// RFC 4975 11.4, figure 14 (first chunk of a CPIM message).
const std::string kCpimFirstChunk = crlf(
    "MSRP d93kswow SEND\n"
    "To-Path: msrp://bobpc.example.com:8888/9di4eae923wzd;tcp\n"
    "From-Path: msrp://alicepc.example.com:7654/iau39soe2843z;tcp\n"
    "Message-ID: 12339sdqwer\n"
    "Byte-Range: 1-137/148\n"
    "Content-Type: message/cpim\n"
    "\n"
    "To: Bob <sip:bob@example.com>\n"
    "From: Alice <sip:alice@example.com>\n"
    "DateTime: 2006-05-15T15:02:31-03:00\n"
    "Content-Type: text/plain\n"
    "\n"
    "ABCD\n"
    "-------d93kswow+\n");

// RFC 4975 11.4, figure 15, printed without the CRLF that should separate
// an (empty) body from the end-line; accepted as an empty body.
const std::string kCpimSecondChunk = crlf(
    "MSRP op2nc9a SEND\n"
    "To-Path: msrp://bobpc.example.com:8888/9di4eae923wzd;tcp\n"
    "From-Path: msrp://alicepc.example.com:7654/iau39soe2843z;tcp\n"
    "Message-ID: 12339sdqwer\n"
    "Byte-Range: 138-148/148\n"
    "Content-Type: message/cpim\n"
    "\n"
    "-------op2nc9a$\n");

// RFC 4975 11.5.
const std::string kSystemMessage = crlf(
    "MSRP d93kswow SEND\n"
    "To-Path: msrp://alicepc.example.com:8888/9di4eae923wzd;tcp\n"
    "From-Path: msrp://example.com:7777/iau39soe2843z;tcp\n"
    "Message-ID: 12339sdqwer\n"
    "Byte-Range: 1-38/38\n"
    "Failure-Report: no\n"
    "Success-Report: no\n"
    "Content-Type: text/plain\n"
    "\n"
    "This conference will end in 5 minutes\n"
    "-------d93kswow$\n");

// RFC 4975 11.6, figures 16 and 17.
const std::string kPositiveReportSend = crlf(
    "MSRP d93kswow SEND\n"
    "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
    "Message-ID: 12339sdqwer\n"
    "Byte-Range: 1-106/106\n"
    "Success-Report: yes\n"
    "Failure-Report: no\n"
    "Content-Type: text/html\n"
    "\n"
    "<html><body>\n"
    "<p>Here is that important link...\n"
    "<a href=\"http://www.example.com/foobar\">foobar</a>\n"
    "</p>\n"
    "</body></html>\n"
    "-------d93kswow$\n");

const std::string kPositiveReport = crlf(
    "MSRP dkei38sd REPORT\n"
    "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
    "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
    "Message-ID: 12339sdqwer\n"
    "Byte-Range: 1-106/106\n"
    "Status: 000 200 OK\n"
    "-------dkei38sd$\n");

// RFC 4976 section 8 style AUTH exchange with a relay (header values on one line).
const std::string kAuth = crlf(
    "MSRP 49fh AUTH\n"
    "To-Path: msrps://alice@intra.example.com;tcp\n"
    "From-Path: msrps://alice.example.com:9892/98cjs;tcp\n"
    "-------49fh$\n");

const std::string kAuthChallenge = crlf(
    "MSRP 49fh 401 Unauthorized\n"
    "To-Path: msrps://alice.example.com:9892/98cjs;tcp\n"
    "From-Path: msrps://alice@intra.example.com;tcp\n"
    "WWW-Authenticate: Digest realm=\"intra.example.com\", qop=\"auth\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"\n"
    "-------49fh$\n");

const std::string kAuthWithCredentials = crlf(
    "MSRP 49fi AUTH\n"
    "To-Path: msrps://alice@intra.example.com;tcp\n"
    "From-Path: msrps://alice.example.com:9892/98cjs;tcp\n"
    "Authorization: Digest username=\"Alice\", realm=\"intra.example.com\", "
    "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", "
    "response=\"6629fae49393a05397450978507c4ef1\"\n"
    "Expires: 900\n"
    "-------49fi$\n");

const std::string kAuthOk = crlf(
    "MSRP 49fi 200 OK\n"
    "To-Path: msrps://alice.example.com:9892/98cjs;tcp\n"
    "From-Path: msrps://alice@intra.example.com;tcp\n"
    "Use-Path: msrps://relay.example.com:2855/jui787s2f;tcp\n"
    "Expires: 900\n"
    "-------49fi$\n");

// Every example whose printed form is also its exact serialization.
std::vector<Example> exact_examples()
{
    return {
        {"figure 2 SEND", kFigure2Send},
        {"figure 2 200", kFigure2Ok},
        {"11.1 SEND", kBasicSend},
        {"11.1 200", kBasicOk},
        {"11.1 reply SEND", kBasicReply},
        {"11.1 reply 200", kBasicReplyOk},
        {"11.2 XHTML", kXhtml},
        {"11.4 first chunk", kCpimFirstChunk},
        {"11.5 system message", kSystemMessage},
        {"11.6 SEND", kPositiveReportSend},
        {"11.6 REPORT", kPositiveReport},
        {"4976 AUTH", kAuth},
        {"4976 401", kAuthChallenge},
        {"4976 AUTH with credentials", kAuthWithCredentials},
        {"4976 200", kAuthOk},
    };
}

std::vector<Frame> parse_in_pieces(std::string_view wire, const std::vector<std::size_t> &cuts,
                                   ParseError *error = nullptr)
{
    Parser parser;
    std::vector<Frame> frames;
    std::size_t start = 0;
    for (std::size_t cut : cuts) {
        parser.feed(wire.substr(start, cut - start), frames);
        start = cut;
    }
    bool ok = parser.feed(wire.substr(start), frames);
    if (!ok && error) *error = *parser.error();
    EXPECT_TRUE(ok || error) << (parser.error() ? parser.error()->reason : "");
    return frames;
}

std::vector<Frame> parse_all(std::string_view wire) { return parse_in_pieces(wire, {}); }

Frame parse_one(std::string_view wire)
{
    std::vector<Frame> frames = parse_all(wire);
    EXPECT_EQ(frames.size(), 1u);
    return frames.empty() ? Frame{} : frames.front();
}

Request parse_request(std::string_view wire)
{
    Frame frame = parse_one(wire);
    EXPECT_TRUE(std::holds_alternative<Request>(frame));
    return std::holds_alternative<Request>(frame) ? std::get<Request>(frame) : Request{};
}

Response parse_response(std::string_view wire)
{
    Frame frame = parse_one(wire);
    EXPECT_TRUE(std::holds_alternative<Response>(frame));
    return std::holds_alternative<Response>(frame) ? std::get<Response>(frame) : Response{};
}

}  // namespace

TEST(MsrpCodecExamples, Figure2SendHasEveryField)
{
    Request send = parse_request(kFigure2Send);
    EXPECT_EQ(send.transaction_id, "a786hjs2");
    EXPECT_EQ(send.method, "SEND");
    EXPECT_EQ(send.kind(), MethodKind::send);
    ASSERT_EQ(send.to_path.size(), 1u);
    EXPECT_EQ(send.to_path[0].host, "biloxi.example.com");
    EXPECT_EQ(send.to_path[0].port, 12763);
    EXPECT_EQ(send.to_path[0].session_id, "kjhd37s2s20w2a");
    EXPECT_EQ(send.to_path[0].transport, "tcp");
    EXPECT_FALSE(send.to_path[0].secure);
    ASSERT_EQ(send.from_path.size(), 1u);
    EXPECT_EQ(send.from_path[0].session_id, "jshA7weztas");
    ASSERT_NE(send.fields.find<MessageId>(), nullptr);
    EXPECT_EQ(send.fields.find<MessageId>()->value, "87652491");
    ASSERT_NE(send.fields.find<ByteRange>(), nullptr);
    EXPECT_EQ(*send.fields.find<ByteRange>(), (ByteRange{1, 25, 25}));
    ASSERT_TRUE(send.body.has_value());
    EXPECT_EQ(send.body->content_type, "text/plain");
    EXPECT_EQ(send.body->bytes, "Hey Bob, are you there?");
    EXPECT_EQ(send.continuation, Continuation::complete);
    EXPECT_EQ(success_report(send), SuccessReport::no);
    EXPECT_EQ(failure_report(send), FailureReport::yes);
}

TEST(MsrpCodecExamples, Figure2ResponseHasCodeAndComment)
{
    Response ok = parse_response(kFigure2Ok);
    EXPECT_EQ(ok.transaction_id, "a786hjs2");
    EXPECT_EQ(ok.status_code, 200);
    EXPECT_EQ(ok.comment, "OK");
    EXPECT_EQ(to_string(ok.to_path), "msrp://atlanta.example.com:7654/jshA7weztas;tcp");
    EXPECT_EQ(to_string(ok.from_path), "msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp");
    EXPECT_TRUE(ok.fields.empty());
}

TEST(MsrpCodecExamples, ReportsAndSystemMessagesKeepTheirReportHeaders)
{
    Request system = parse_request(kSystemMessage);
    EXPECT_EQ(failure_report(system), FailureReport::no);
    EXPECT_EQ(success_report(system), SuccessReport::no);

    Request send = parse_request(kPositiveReportSend);
    EXPECT_EQ(success_report(send), SuccessReport::yes);
    EXPECT_EQ(failure_report(send), FailureReport::no);

    Request report = parse_request(kPositiveReport);
    EXPECT_EQ(report.kind(), MethodKind::report);
    ASSERT_NE(report.fields.find<Status>(), nullptr);
    EXPECT_EQ(*report.fields.find<Status>(), (Status{0, 200, "OK"}));
    EXPECT_FALSE(report.body.has_value());
}

TEST(MsrpCodecExamples, CpimChunksCarryTheirParts)
{
    Request first = parse_request(kCpimFirstChunk);
    EXPECT_EQ(first.continuation, Continuation::more);
    EXPECT_EQ(first.body->content_type, "message/cpim");
    EXPECT_TRUE(first.body->bytes.starts_with("To: Bob <sip:bob@example.com>\r\n"));
    EXPECT_TRUE(first.body->bytes.ends_with("\r\n\r\nABCD"));

    Request second = parse_request(kCpimSecondChunk);
    EXPECT_EQ(second.continuation, Continuation::complete);
    ASSERT_TRUE(second.body.has_value());
    EXPECT_EQ(second.body->bytes, "");
    EXPECT_EQ(*second.fields.find<ByteRange>(), (ByteRange{138, 148, 148}));
    // Serialized in the strict form: blank line, empty data, CRLF, end-line.
    EXPECT_TRUE(serialize(second).ends_with("Content-Type: message/cpim\r\n\r\n\r\n-------op2nc9a$\r\n"));
    EXPECT_EQ(parse_request(serialize(second)), second);
}

TEST(MsrpCodecExamples, AuthExchangeKeepsRelayHeadersRaw)
{
    Request auth = parse_request(kAuth);
    EXPECT_EQ(auth.kind(), MethodKind::auth);
    EXPECT_TRUE(auth.to_path[0].secure);
    EXPECT_EQ(auth.to_path[0].userinfo, "alice");
    EXPECT_EQ(auth.to_path[0].host, "intra.example.com");
    EXPECT_FALSE(auth.to_path[0].port.has_value());
    EXPECT_EQ(auth.to_path[0].session_id, "");

    Response challenge = parse_response(kAuthChallenge);
    EXPECT_EQ(challenge.status_code, 401);
    EXPECT_EQ(challenge.comment, "Unauthorized");
    ASSERT_NE(challenge.fields.find_header("www-authenticate"), nullptr);
    EXPECT_TRUE(challenge.fields.find_header("WWW-Authenticate")->starts_with("Digest realm=\"intra.example.com\""));

    Request credentials = parse_request(kAuthWithCredentials);
    ASSERT_NE(credentials.fields.find_header("Authorization"), nullptr);
    EXPECT_EQ(*credentials.fields.find_header("Expires"), "900");

    Response ok = parse_response(kAuthOk);
    EXPECT_EQ(*ok.fields.find_header("Use-Path"), "msrps://relay.example.com:2855/jui787s2f;tcp");
    auto use_path = parse_path(*ok.fields.find_header("Use-Path"));
    ASSERT_TRUE(use_path.ok());
    EXPECT_EQ(use_path.value()[0].port, 2855);
}

TEST(MsrpCodecExamples, SerializeReproducesEveryExampleByteForByte)
{
    for (const Example &example : exact_examples()) {
        Frame frame = parse_one(example.wire);
        EXPECT_EQ(serialize(frame), example.wire) << example.name;
    }
}

TEST(MsrpCodecExamples, AllExamplesInOneStreamComeOutInOrder)
{
    std::string stream;
    std::vector<Frame> expected;
    for (const Example &example : exact_examples()) {
        stream += example.wire;
        expected.push_back(parse_one(example.wire));
    }
    EXPECT_EQ(parse_all(stream), expected);
}

TEST(MsrpCodecExamples, EverySplitPointGivesTheSameFrames)
{
    std::vector<Example> examples = exact_examples();
    examples.push_back({"11.4 second chunk", kCpimSecondChunk});
    for (const Example &example : examples) {
        std::vector<Frame> whole = parse_all(example.wire);
        ASSERT_EQ(whole.size(), 1u) << example.name;
        for (std::size_t cut = 0; cut <= example.wire.size(); ++cut)
            ASSERT_EQ(parse_in_pieces(example.wire, {cut}), whole) << example.name << " cut at " << cut;
    }
}

TEST(MsrpCodecExamples, EveryPairOfSplitPointsGivesTheSameFrames)
{
    for (const std::string &wire : {kFigure2Send, kPositiveReport, kCpimSecondChunk}) {
        std::vector<Frame> whole = parse_all(wire);
        for (std::size_t first = 0; first <= wire.size(); ++first)
            for (std::size_t second = first; second <= wire.size(); ++second)
                ASSERT_EQ(parse_in_pieces(wire, {first, second}), whole) << "cuts " << first << "," << second;
    }
}

TEST(MsrpCodecExamples, OneByteAtATimeGivesTheSameFrames)
{
    std::string stream;
    for (const Example &example : exact_examples()) stream += example.wire;
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(parse_in_pieces(stream, cuts), parse_all(stream));
}

TEST(MsrpCodecExamples, ParseSerializeParseIsStable)
{
    for (const Example &example : exact_examples()) {
        Frame frame = parse_one(example.wire);
        EXPECT_EQ(parse_one(serialize(frame)), frame) << example.name;
    }
}

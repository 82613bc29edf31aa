#include <gtest/gtest.h>

#include "msrp/msrp_test_support.hpp"

#include <string>
#include <vector>

#include "im/msrp/parser.hpp"
#include "im/msrp/replies.hpp"
#include "im/msrp/serializer.hpp"

namespace {

using namespace im::msrp;

using im::msrp::testing::crlf;

Request parsed_request(std::string_view wire)
{
    Parser parser;
    std::vector<Frame> frames;
    EXPECT_TRUE(parser.feed(wire, frames)) << (parser.error() ? parser.error()->reason : "");
    if (frames.size() != 1 || !std::holds_alternative<Request>(frames[0])) {
        ADD_FAILURE() << "expected one request";
        return {};
    }
    return std::get<Request>(frames[0]);
}

const std::string &kSend = im::msrp::testing::kRfc4975BasicSend;

// A SEND that reached the relay: the relay is first in To-Path, and the
// sender's own relay put itself in front of From-Path.
const std::string kSendAtRelay = crlf(
    "MSRP abcd1234 SEND\n"
    "To-Path: msrps://relay.example.com:2855/r1;tcp msrp://bob.example.com:8888/b1;tcp\n"
    "From-Path: msrps://relay.example.net:2855/r2;tcp msrp://alice.example.net:7777/a1;tcp\n"
    "Message-ID: msg00001\n"
    "Byte-Range: 5-*/20\n"
    "Failure-Report: partial\n"
    "Content-Type: text/plain\n"
    "\n"
    "abcdefgh\n"
    "-------abcd1234+\n");

}  // namespace

TEST(MsrpReplies, ResponseToTheRfcSendIsTheRfcResponse)
{
    Response ok = make_response(parsed_request(kSend), kStatusOk);
    EXPECT_EQ(serialize(ok), crlf("MSRP d93kswow 200 OK\n"
                                  "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
                                  "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
                                  "-------d93kswow$\n"));
}

TEST(MsrpReplies, ResponseToSendGoesBackOneHop)
{
    Request send = parsed_request(kSendAtRelay);
    Response refused = make_response(send, kStatusNoSession);
    EXPECT_EQ(refused.transaction_id, "abcd1234");
    EXPECT_EQ(refused.status_code, 481);
    EXPECT_EQ(refused.comment, "Session Does Not Exist");
    EXPECT_EQ(to_string(refused.to_path), "msrps://relay.example.net:2855/r2;tcp");
    EXPECT_EQ(to_string(refused.from_path), "msrps://relay.example.com:2855/r1;tcp");

    Response custom = make_response(send, kStatusBadRequest, "no such thing");
    EXPECT_EQ(custom.comment, "no such thing");
    Response silent = make_response(send, 299, "");
    EXPECT_TRUE(serialize(silent).starts_with("MSRP abcd1234 299\r\n"));
}

TEST(MsrpReplies, ResponseToOtherMethodsGoesBackTheWholePath)
{
    Request request = parsed_request(crlf("MSRP abcd1234 NICKNAME\n"
                                          "To-Path: msrps://relay.example.com:2855/r1;tcp\n"
                                          "From-Path: msrps://relay.example.net:2855/r2;tcp "
                                          "msrp://alice.example.net:7777/a1;tcp\n"
                                          "-------abcd1234$\n"));
    Response unknown = make_response(request, kStatusUnknownMethod);
    EXPECT_EQ(unknown.comment, "Method Not Implemented");
    EXPECT_EQ(unknown.to_path, request.from_path);
    EXPECT_EQ(to_string(unknown.from_path), "msrps://relay.example.com:2855/r1;tcp");
}

TEST(MsrpReplies, AuthChallengeCarriesWwwAuthenticate)
{
    Request auth = parsed_request(crlf("MSRP 49fh AUTH\n"
                                       "To-Path: msrps://alice@intra.example.com;tcp\n"
                                       "From-Path: msrps://alice.example.com:9892/98cjs;tcp\n"
                                       "-------49fh$\n"));
    Response challenge = make_response(auth, kStatusUnauthorized);
    EXPECT_FALSE(challenge.fields.add("WWW-Authenticate", "Digest realm=\"intra.example.com\", nonce=\"abc\"").has_value());
    EXPECT_EQ(serialize(challenge), crlf("MSRP 49fh 401 Unauthorized\n"
                                         "To-Path: msrps://alice.example.com:9892/98cjs;tcp\n"
                                         "From-Path: msrps://alice@intra.example.com;tcp\n"
                                         "WWW-Authenticate: Digest realm=\"intra.example.com\", nonce=\"abc\"\n"
                                         "-------49fh$\n"));
}

TEST(MsrpReplies, WhenAResponseIsExpected)
{
    Request send = parsed_request(kSend);
    EXPECT_TRUE(response_expected(send, 200));
    EXPECT_TRUE(response_expected(send, 481));
    send.fields.set(FailureReport::partial);
    EXPECT_FALSE(response_expected(send, 200));
    EXPECT_TRUE(response_expected(send, 413));
    send.fields.set(FailureReport::no);
    EXPECT_FALSE(response_expected(send, 481));
    Request report = send;
    report.method = "REPORT";
    report.fields.erase<FailureReport>();
    EXPECT_FALSE(response_expected(report, 400));
}

TEST(MsrpReplies, SuccessReportMatchesTheRfcExample)
{
    Request send = parsed_request(crlf("MSRP d93kswow SEND\n"
                                       "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
                                       "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
                                       "Message-ID: 12339sdqwer\n"
                                       "Byte-Range: 1-106/106\n"
                                       "Success-Report: yes\n"
                                       "Failure-Report: no\n"
                                       "Content-Type: text/html\n"
                                       "\n"
                                       "<html><body>\n"
                                       "</body></html>\n"
                                       "-------d93kswow$\n"));
    Request report = make_report(send, "dkei38sd", kStatusOk, std::nullopt, ByteRange{1, 106, 106});
    EXPECT_EQ(serialize(report), crlf("MSRP dkei38sd REPORT\n"
                                      "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\n"
                                      "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\n"
                                      "Message-ID: 12339sdqwer\n"
                                      "Byte-Range: 1-106/106\n"
                                      "Status: 000 200 OK\n"
                                      "-------dkei38sd$\n"));
}

TEST(MsrpReplies, FailureReportComputesTheRangeFromTheBodyReceived)
{
    Request send = parsed_request(kSendAtRelay);
    Request report = make_report(send, "rep00001", kStatusTimeout);
    EXPECT_EQ(report.kind(), MethodKind::report);
    EXPECT_EQ(report.to_path, send.from_path);
    EXPECT_EQ(to_string(report.from_path), "msrps://relay.example.com:2855/r1;tcp");
    EXPECT_EQ(report.fields.find<MessageId>()->value, "msg00001");
    EXPECT_EQ(*report.fields.find<ByteRange>(), (ByteRange{5, 12, 20}));  // 8 bytes from 5
    EXPECT_EQ(*report.fields.find<Status>(), (Status{0, 408, "Request Timeout"}));
    EXPECT_EQ(report.fields.find<SuccessReport>(), nullptr);
    EXPECT_EQ(report.fields.find<FailureReport>(), nullptr);
    EXPECT_FALSE(report.body.has_value());
    EXPECT_EQ(parsed_request(serialize(report)), report);
}

TEST(MsrpReplies, ReportRangeWithoutByteRangeInTheSend)
{
    Request send = parsed_request(kSend);
    send.fields.erase<ByteRange>();
    EXPECT_EQ(*make_report(send, "rep00001", kStatusOk).fields.find<ByteRange>(), (ByteRange{1, 14, 14}));
    send.continuation = Continuation::more;
    EXPECT_EQ(*make_report(send, "rep00001", kStatusOk).fields.find<ByteRange>(),
              (ByteRange{1, 14, std::nullopt}));
    send.body.reset();
    EXPECT_EQ(*make_report(send, "rep00001", kStatusOk).fields.find<ByteRange>(),
              (ByteRange{1, 0, std::nullopt}));
}

TEST(MsrpReplies, OversentBodyGetsAnUnknownTotal)
{
    Request send = parsed_request(kSend);  // says 1-16/16
    send.body->bytes = std::string(20, 'x');
    Request report = make_report(send, "rep00001", kStatusStopSending);
    EXPECT_EQ(*report.fields.find<ByteRange>(), (ByteRange{1, 20, std::nullopt}));
    EXPECT_EQ(parsed_request(serialize(report)), report);
}

TEST(MsrpReplies, AppendResponseWritesWhatMakeResponseSerializes)
{
    std::vector<Request> requests = {parsed_request(kSend), parsed_request(kSendAtRelay),
                                     parsed_request(crlf("MSRP abcd1234 NICKNAME\n"
                                                         "To-Path: msrps://relay.example.com:2855/r1;tcp\n"
                                                         "From-Path: msrps://relay.example.net:2855/r2;tcp "
                                                         "msrp://alice.example.net:7777/a1;tcp\n"
                                                         "-------abcd1234$\n"))};
    Request empty_paths;
    empty_paths.transaction_id = "x1y2z3w4";
    empty_paths.method = "SEND";
    requests.push_back(empty_paths);
    for (const Request &request : requests) {
        for (int status : {kStatusOk, kStatusNoSession, kStatusUnknownMethod, 299}) {
            std::string out = "prefix";
            append_response(out, request, status);
            EXPECT_EQ(out, "prefix" + serialize(make_response(request, status))) << request.method << " " << status;
        }
    }
}

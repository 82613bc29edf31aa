#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "im/msrp/message.hpp"
#include "im/msrp/parser.hpp"
#include "im/msrp/serializer.hpp"
#include "im/msrp/syntax.hpp"

namespace {

using namespace im::msrp;

Uri uri(std::string_view text) { return parse_uri(text).value(); }

Request sample_request()
{
    Request request;
    request.transaction_id = "tx0001ab";
    request.method = "SEND";
    request.to_path = {uri("msrps://relay.example.com:2855/r1;tcp"), uri("msrp://bob.example.com:9000/b1;tcp")};
    request.from_path = {uri("msrp://alice.example.com:7000/a1;tcp")};
    request.fields.set(MessageId{"msg-0001.x"});
    request.fields.set(ByteRange{3, std::nullopt, 10});
    EXPECT_FALSE(request.fields.add("Content-Disposition", "attachment; filename=\"a b.txt\"").has_value());
    request.fields.set(SuccessReport::yes);
    request.fields.set(FailureReport::partial);
    request.body = Body{"text/plain; charset=utf-8", "body\r\nwith lines"};
    request.continuation = Continuation::more;
    return request;
}

Frame parse_single(std::string_view wire)
{
    Parser parser;
    std::vector<Frame> frames;
    EXPECT_TRUE(parser.feed(wire, frames)) << (parser.error() ? parser.error()->reason : "") << "\n" << wire;
    EXPECT_EQ(frames.size(), 1u);
    return frames.empty() ? Frame{} : frames.front();
}

}  // namespace

TEST(MsrpMessage, MethodKinds)
{
    EXPECT_EQ(method_kind("SEND"), MethodKind::send);
    EXPECT_EQ(method_kind("REPORT"), MethodKind::report);
    EXPECT_EQ(method_kind("AUTH"), MethodKind::auth);
    EXPECT_EQ(method_kind("send"), MethodKind::other);  // methods are case-sensitive
    EXPECT_EQ(method_kind("NICKNAME"), MethodKind::other);
}

TEST(MsrpMessage, ByteRangesParseAndPrint)
{
    EXPECT_EQ(parse_byte_range("1-25/25").value(), (ByteRange{1, 25, 25}));
    EXPECT_EQ(parse_byte_range("1-*/8").value(), (ByteRange{1, std::nullopt, 8}));
    EXPECT_EQ(parse_byte_range("5-*/*").value(), (ByteRange{5, std::nullopt, std::nullopt}));
    EXPECT_EQ(parse_byte_range("1-0/0").value(), (ByteRange{1, 0, 0}));  // empty message (7.1.1)
    EXPECT_EQ(parse_byte_range("11-10/10").value(), (ByteRange{11, 10, 10}));
    EXPECT_EQ(parse_byte_range("0001-0002/0003").value(), (ByteRange{1, 2, 3}));
    EXPECT_EQ(parse_byte_range("18446744073709551615-*/*").value().start, UINT64_MAX);
    EXPECT_EQ(to_string(ByteRange{1, std::nullopt, 8}), "1-*/8");
    EXPECT_EQ(to_string(ByteRange{5, 9, std::nullopt}), "5-9/*");
    EXPECT_EQ(parse_byte_range("1-0/5").value(), (ByteRange{1, 0, 5}));
    EXPECT_EQ(parse_byte_range("2-0/5").error().kind, ErrorKind::malformed_byte_range);
}

TEST(MsrpMessage, StatusParsesAndPrints)
{
    EXPECT_EQ(parse_status("000 200 OK").value(), (Status{0, 200, "OK"}));
    EXPECT_EQ(parse_status("000 413").value(), (Status{0, 413, ""}));
    EXPECT_EQ(parse_status("123 481 no such  session").value(), (Status{123, 481, "no such  session"}));
    EXPECT_EQ(to_string(Status{0, 200, "OK"}), "000 200 OK");
    EXPECT_EQ(to_string(Status{0, 8, ""}), "000 008");
    EXPECT_FALSE(parse_status("000 200OK").ok());
    EXPECT_FALSE(parse_status("0 200 OK").ok());
    EXPECT_FALSE(parse_status("000 2x0 OK").ok());
}

TEST(MsrpHeaderFields, TypedAndRawFieldsInOrder)
{
    HeaderFields fields;
    EXPECT_FALSE(fields.add("Use-Path", "msrps://relay.example.com:2855/x;tcp").has_value());
    EXPECT_FALSE(fields.add("byte-range", "1-*/*").has_value());
    EXPECT_FALSE(fields.add("Expires", " 900 ").has_value());
    EXPECT_FALSE(fields.add("Expires", "1800").has_value());  // raw headers may repeat
    ASSERT_EQ(fields.all().size(), 4u);
    EXPECT_EQ(field_name(fields.all()[1]), "Byte-Range");
    EXPECT_EQ(field_value(fields.all()[1]), "1-*/*");
    EXPECT_EQ(*fields.find_header("EXPIRES"), "900");
    EXPECT_EQ(fields.find_headers("expires"), (std::vector<std::string_view>{"900", "1800"}));
    EXPECT_EQ(fields.find_header("Max-Expires"), nullptr);
    EXPECT_EQ(fields.find<Status>(), nullptr);

    fields.set(ByteRange{1, 5, 5});  // replaced in place
    EXPECT_EQ(field_value(fields.all()[1]), "1-5/5");
    fields.set(Status{0, 200, "OK"});  // appended
    EXPECT_EQ(field_name(fields.all().back()), "Status");
    fields.erase<ByteRange>();
    EXPECT_EQ(fields.find<ByteRange>(), nullptr);
    EXPECT_EQ(fields.erase_headers("expires"), 2u);
    EXPECT_EQ(fields.all().size(), 2u);
}

TEST(MsrpHeaderFields, RefusesDuplicatesBadValuesAndMessageLevelNames)
{
    HeaderFields fields;
    EXPECT_FALSE(fields.add("Message-ID", "abcd").has_value());
    EXPECT_EQ(fields.add("message-id", "efgh")->kind, ErrorKind::malformed_header);
    EXPECT_EQ(fields.add("Byte-Range", "0-1/1")->kind, ErrorKind::malformed_byte_range);
    EXPECT_EQ(fields.add("To-Path", "msrp://a.example.com:1/s;tcp")->kind, ErrorKind::malformed_header);
    EXPECT_EQ(fields.add("Content-Type", "text/plain")->kind, ErrorKind::malformed_header);
    EXPECT_EQ(fields.add("X-Crlf", "a\r\nb")->kind, ErrorKind::malformed_header);
    EXPECT_EQ(fields.add("Bad Name", "x")->kind, ErrorKind::malformed_header);
    EXPECT_EQ(fields.all().size(), 1u);
}

TEST(MsrpMessage, ReportDefaultsFollowSection711)
{
    Request request;
    EXPECT_EQ(success_report(request), SuccessReport::no);
    EXPECT_EQ(failure_report(request), FailureReport::yes);
    request.fields.set(FailureReport::partial);
    EXPECT_EQ(failure_report(request), FailureReport::partial);
}

TEST(MsrpMessage, MediaTypes)
{
    EXPECT_TRUE(is_media_type("text/plain"));
    EXPECT_TRUE(is_media_type("text/plain; charset=utf-8"));
    EXPECT_TRUE(is_media_type("multipart/mixed;boundary=\"a b\""));
    EXPECT_FALSE(is_media_type("text"));
    EXPECT_FALSE(is_media_type("/plain"));
    EXPECT_FALSE(is_media_type("text/"));
    EXPECT_FALSE(is_media_type("te xt/plain"));
}

TEST(MsrpSerializer, WritesTheWireFormat)
{
    EXPECT_EQ(serialize(sample_request()),
              "MSRP tx0001ab SEND\r\n"
              "To-Path: msrps://relay.example.com:2855/r1;tcp msrp://bob.example.com:9000/b1;tcp\r\n"
              "From-Path: msrp://alice.example.com:7000/a1;tcp\r\n"
              "Message-ID: msg-0001.x\r\n"
              "Byte-Range: 3-*/10\r\n"
              "Content-Disposition: attachment; filename=\"a b.txt\"\r\n"
              "Success-Report: yes\r\n"
              "Failure-Report: partial\r\n"
              "Content-Type: text/plain; charset=utf-8\r\n"
              "\r\n"
              "body\r\nwith lines\r\n"
              "-------tx0001ab+\r\n");
    EXPECT_EQ(end_line("tx0001ab", Continuation::aborted), "-------tx0001ab#\r\n");
}

TEST(MsrpSerializer, AppendsToAnExistingBuffer)
{
    std::string buffer = "already here";
    append_wire(buffer, Frame{sample_request()});
    EXPECT_TRUE(buffer.starts_with("already hereMSRP tx0001ab SEND\r\n"));
    EXPECT_EQ(buffer.substr(12), serialize(sample_request()));
}

TEST(MsrpSerializer, BuiltRequestsAndResponsesRoundTrip)
{
    Request request = sample_request();
    EXPECT_EQ(std::get<Request>(parse_single(serialize(request))), request);

    request.body.reset();
    request.continuation = Continuation::complete;
    EXPECT_EQ(std::get<Request>(parse_single(serialize(request))), request);

    request.body = Body{"application/octet-stream", std::string("\0\r\n-------tx0001ab\r\n\xff", 21)};
    EXPECT_EQ(std::get<Request>(parse_single(serialize(request))), request);

    Response response;
    response.transaction_id = "tx0001ab";
    response.status_code = 423;
    response.comment = "Interval Out Of Bounds";
    response.to_path = {uri("msrp://alice.example.com:7000/a1;tcp")};
    response.from_path = {uri("msrps://relay.example.com:2855;tcp")};
    EXPECT_FALSE(response.fields.add("Min-Expires", "600").has_value());
    EXPECT_FALSE(response.fields.add("Max-Expires", "3600").has_value());
    EXPECT_EQ(std::get<Response>(parse_single(serialize(response))), response);

    response.comment.clear();
    response.status_code = 7;
    EXPECT_TRUE(serialize(response).starts_with("MSRP tx0001ab 007\r\n"));
    EXPECT_EQ(std::get<Response>(parse_single(serialize(response))), response);
}

TEST(MsrpSyntax, Utf8TextChecksEveryPositionOfAWord)
{
    using im::msrp::syntax::is_utf8text;
    const std::string plain = "msrp://127.0.0.1:12865/abcdefghijkl;tcp";
    EXPECT_TRUE(is_utf8text(plain));
    // A bad or special byte at any offset, in the eight-byte steps and in the tail.
    for (std::size_t at = 0; at < plain.size(); ++at) {
        for (char bad : {'\0', '\x01', '\x1f', '\x7f', '\x80', '\xff'}) {
            std::string text = plain;
            text[at] = bad;
            EXPECT_FALSE(is_utf8text(text)) << at << " " << static_cast<int>(static_cast<unsigned char>(bad));
        }
        std::string tab = plain;
        tab[at] = '\t';
        EXPECT_TRUE(is_utf8text(tab)) << at;
        std::string utf8 = plain;
        utf8.replace(at, 1, "\xc3\xa9");  // e acute
        EXPECT_TRUE(is_utf8text(utf8)) << at;
        std::string cut = plain.substr(0, at) + "\xc3";
        EXPECT_FALSE(is_utf8text(cut)) << at;
    }
    EXPECT_TRUE(is_utf8text(" !~~~~~~~~~~~~~~"));
}

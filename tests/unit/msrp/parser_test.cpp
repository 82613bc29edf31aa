#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "im/msrp/parser.hpp"
#include "im/msrp/serializer.hpp"

namespace {

using namespace im::msrp;

const std::string kTo = "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n";
const std::string kFrom = "From-Path: msrp://alice.example.com:7777/iau39soe2843z;tcp\r\n";

// A SEND with the given transaction id, extra header lines and body.
std::string send_wire(std::string_view id, std::string_view body, char flag = '$', std::string_view extra = "")
{
    std::string wire = "MSRP " + std::string(id) + " SEND\r\n" + kTo + kFrom + "Message-ID: msg00001\r\n";
    wire += extra;
    wire += "Content-Type: text/plain\r\n\r\n";
    wire += body;
    wire += "\r\n-------" + std::string(id) + flag + "\r\n";
    return wire;
}

std::vector<Frame> parse_ok(std::string_view wire, ParserLimits limits = {})
{
    Parser parser(limits);
    std::vector<Frame> frames;
    bool ok = parser.feed(wire, frames);
    EXPECT_TRUE(ok) << (parser.error() ? parser.error()->reason : "") << "\nin: " << wire;
    EXPECT_TRUE(parser.between_frames());
    return frames;
}

Request only_request(std::string_view wire, ParserLimits limits = {})
{
    std::vector<Frame> frames = parse_ok(wire, limits);
    EXPECT_EQ(frames.size(), 1u) << wire;
    if (frames.size() != 1 || !std::holds_alternative<Request>(frames[0])) {
        ADD_FAILURE() << "expected one request";
        return {};
    }
    return std::get<Request>(frames[0]);
}

Response only_response(std::string_view wire)
{
    std::vector<Frame> frames = parse_ok(wire);
    if (frames.size() != 1 || !std::holds_alternative<Response>(frames[0])) {
        ADD_FAILURE() << "expected one response in: " << wire;
        return {};
    }
    return std::get<Response>(frames[0]);
}

ParseError parse_error(std::string_view wire, ParserLimits limits = {})
{
    Parser parser(limits);
    std::vector<Frame> frames;
    bool ok = parser.feed(wire, frames);
    EXPECT_FALSE(ok) << "unexpectedly parsed: " << wire;
    if (ok) return {};
    // The parser stays broken.
    EXPECT_FALSE(parser.feed(send_wire("abcd1234", "x"), frames));
    EXPECT_TRUE(frames.empty());
    return *parser.error();
}

// Feeds byte by byte and returns the error; the result must match one feed.
ParseError parse_error_bytewise(std::string_view wire, ParserLimits limits = {})
{
    Parser parser(limits);
    std::vector<Frame> frames;
    for (char c : wire)
        if (!parser.feed(std::string_view(&c, 1), frames)) break;
    EXPECT_TRUE(parser.error().has_value());
    return parser.error().value_or(ParseError{});
}

std::string request_head(std::string_view start_line, std::string_view headers)
{
    return std::string(start_line) + "\r\n" + std::string(headers);
}

}  // namespace

TEST(MsrpParser, BodilessRequestHasNoBody)
{
    Request request = only_request("MSRP abcd1234 SEND\r\n" + kTo + kFrom + "Message-ID: msg00001\r\n-------abcd1234$\r\n");
    EXPECT_FALSE(request.body.has_value());
    EXPECT_EQ(request.continuation, Continuation::complete);
}

TEST(MsrpParser, EmptyBodyIsNotABodilessRequest)
{
    Request request = only_request(send_wire("abcd1234", ""));
    ASSERT_TRUE(request.body.has_value());
    EXPECT_EQ(request.body->bytes, "");
}

TEST(MsrpParser, BinaryBodyPassesUntouched)
{
    std::string body;
    for (int i = 0; i < 256; ++i) body.push_back(static_cast<char>(i));
    body += "\r\n\r\n--\r\r\n-------";
    Request request = only_request(send_wire("abcd1234", body));
    EXPECT_EQ(request.body->bytes, body);
}

TEST(MsrpParser, ContinuationFlagsAreKept)
{
    EXPECT_EQ(only_request(send_wire("abcd1234", "x", '$')).continuation, Continuation::complete);
    EXPECT_EQ(only_request(send_wire("abcd1234", "x", '+')).continuation, Continuation::more);
    EXPECT_EQ(only_request(send_wire("abcd1234", "x", '#')).continuation, Continuation::aborted);
}

TEST(MsrpParser, FakeEndLinesInTheBodyAreBodyBytes)
{
    const std::vector<std::string> bodies = {
        "line\r\n-------zzzz9999$\r\nmore",   // another transaction's end-line
        "line\r\n-------abcd1234X$\r\n",      // our id as a prefix of a longer one
        "line\r\n-------abcd123$\r\n",        // a prefix of our id
        "line\r\n-------abcd1234!\r\n",       // not a flag
        "line\r\n-------abcd1234$x\r\n",      // no CRLF after the flag
        "line\r\n-------abcd1234$\rx",        // CR without LF after the flag
        "x-------abcd1234$\r\n",              // not at the start of a line
        "\r\r\n\r\n-------abcd123",           // truncated at the end of the body
        "-------abcd1234",                    // no flag at all
    };
    for (const std::string &body : bodies) {
        Request request = only_request(send_wire("abcd1234", body));
        EXPECT_EQ(request.body->bytes, body);
    }
}

TEST(MsrpParser, FakeEndLineWithAnotherIdSplitAtEveryOffset)
{
    std::string body = "a\r\n-------other123$\r\nb\r\n-------abcd12345+\r\n";
    std::string wire = send_wire("abcd1234", body) + send_wire("wxyz9876", "second");
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
        Parser parser;
        std::vector<Frame> frames;
        ASSERT_TRUE(parser.feed(std::string_view(wire).substr(0, cut), frames));
        ASSERT_TRUE(parser.feed(std::string_view(wire).substr(cut), frames));
        ASSERT_EQ(frames.size(), 2u);
        EXPECT_EQ(std::get<Request>(frames[0]).body->bytes, body);
        EXPECT_EQ(std::get<Request>(frames[1]).body->bytes, "second");
    }
}

TEST(MsrpParser, LongBinaryBodiesWithNearEndLinesInPiecesOfEverySize)
{
    // A body where CRs, CRLFs and near end-lines of our id come often, and
    // the stream fed in pieces of every size from 1 to 61: the whole-pattern
    // search and the byte-wise match at piece boundaries agree.
    std::string body;
    std::uint32_t state = 12345;
    for (int i = 0; i < 4000; ++i) {
        state = state * 1103515245u + 12345u;
        body.push_back(static_cast<char>(state >> 24));
        if (i % 397 == 0) body += "\r\n-------abcd123";
        if (i % 541 == 0) body += "\r\n-------abcd1234X\r\n";
        if (i % 773 == 0) body += "\r\n-------abcd1234$\r";
        if (i % 911 == 0) body += "\r\r\n-------abcd1234+x";
    }
    std::string wire = send_wire("abcd1234", body, '+') + send_wire("abcd1234", body.substr(100), '$');
    for (std::size_t piece = 1; piece <= 61; ++piece) {
        Parser parser;
        std::vector<Frame> frames;
        for (std::size_t at = 0; at < wire.size(); at += piece)
            ASSERT_TRUE(parser.feed(std::string_view(wire).substr(at, piece), frames));
        ASSERT_EQ(frames.size(), 2u) << "pieces of " << piece;
        EXPECT_EQ(std::get<Request>(frames[0]).body->bytes, body) << "pieces of " << piece;
        EXPECT_EQ(std::get<Request>(frames[0]).continuation, Continuation::more);
        EXPECT_EQ(std::get<Request>(frames[1]).body->bytes, body.substr(100)) << "pieces of " << piece;
    }
}

TEST(MsrpParser, RepeatedPathsParseLikeFreshOnes)
{
    // The parser reuses the last parsed To-Path and From-Path when the text
    // repeats: the same frames, whatever came before on the stream.
    const std::string other_to = "To-Path: msrp://relay.example.com:2855/r1;tcp msrp://bob.example.com:8888/x9;tcp\r\n";
    std::string switched = send_wire("abcd1234", "one");
    std::string with_other = "MSRP efgh5678 SEND\r\n" + other_to + kFrom + "Content-Type: text/plain\r\n\r\ntwo\r\n-------efgh5678$\r\n";
    std::string wire = switched + with_other + switched + "MSRP ijkl9012 200 OK\r\n" + kTo + kFrom + "-------ijkl9012$\r\n";
    std::vector<Frame> frames = parse_ok(wire);
    ASSERT_EQ(frames.size(), 4u);
    Request fresh = only_request(switched);
    Request fresh_other = only_request(with_other);
    EXPECT_EQ(std::get<Request>(frames[0]), fresh);
    EXPECT_EQ(std::get<Request>(frames[1]), fresh_other);
    EXPECT_EQ(std::get<Request>(frames[1]).to_path.size(), 2u);
    EXPECT_EQ(std::get<Request>(frames[2]), fresh);
    EXPECT_EQ(std::get<Response>(frames[3]).to_path, fresh.to_path);
    EXPECT_EQ(std::get<Response>(frames[3]).from_path, fresh.from_path);

    // A bad path after a good one is still refused.
    Parser parser;
    std::vector<Frame> out;
    ASSERT_TRUE(parser.feed(switched, out));
    std::string bad = "MSRP mnop3456 SEND\r\nTo-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp x\r\n" + kFrom +
                      "-------mnop3456$\r\n";
    EXPECT_FALSE(parser.feed(bad, out));
    EXPECT_EQ(out.size(), 1u);
}

TEST(MsrpParser, UnknownMethodsParseSoTheRelayCanAnswer501)
{
    Request request = only_request(request_head("MSRP abcd1234 NICKNAME", kTo + kFrom + "Use-Nickname: \"Alice\"\r\n") +
                                   "-------abcd1234$\r\n");
    EXPECT_EQ(request.method, "NICKNAME");
    EXPECT_EQ(request.kind(), MethodKind::other);
    EXPECT_EQ(*request.fields.find_header("use-nickname"), "\"Alice\"");

    Request with_body = only_request(request_head("MSRP abcd1234 FOO", kTo + kFrom + "Content-Type: text/plain\r\n") +
                                     "\r\nhello\r\n-------abcd1234$\r\n");
    EXPECT_EQ(with_body.body->bytes, "hello");
}

TEST(MsrpParser, ResponsesWithAndWithoutComments)
{
    Response with = only_response("MSRP abcd1234 481 Session Does Not Exist\r\n" + kTo + kFrom + "-------abcd1234$\r\n");
    EXPECT_EQ(with.status_code, 481);
    EXPECT_EQ(with.comment, "Session Does Not Exist");

    Response without = only_response("MSRP abcd1234 200\r\n" + kTo + kFrom + "-------abcd1234$\r\n");
    EXPECT_EQ(without.status_code, 200);
    EXPECT_EQ(without.comment, "");
    EXPECT_EQ(serialize(without), "MSRP abcd1234 200\r\n" + kTo + kFrom + "-------abcd1234$\r\n");

    Response utf8 = only_response("MSRP abcd1234 403 Verboten \xc3\xa4\r\n" + kTo + kFrom + "-------abcd1234$\r\n");
    EXPECT_EQ(utf8.comment, "Verboten \xc3\xa4");
}

TEST(MsrpParser, ResponseEndLineFlagCarriesNoInformation)
{
    // RFC 4975 7.2: responses are never chunked; a stray flag is tolerated and written back as '$'.
    Response response = only_response("MSRP abcd1234 200 OK\r\n" + kTo + kFrom + "-------abcd1234+\r\n");
    EXPECT_TRUE(serialize(response).ends_with("-------abcd1234$\r\n"));
}

TEST(MsrpParser, HeaderNamesAreCaseInsensitiveAndOtherHeadersKeepTheirOrder)
{
    Request request = only_request(request_head("MSRP abcd1234 SEND",
                                                "to-path: msrp://b.example.com:1/s1;tcp\r\n"
                                                "FROM-PATH: msrp://a.example.com:2/s2;tcp\r\n"
                                                "X-Second: 2\r\n"
                                                "message-id: msg00001\r\n"
                                                "X-First: 1\r\n"
                                                "Content-Disposition: inline\r\n"
                                                "content-type: text/plain\r\n"
                                                "Content-ID: <part1@example.com>\r\n"
                                                "\r\nhi\r\n-------abcd1234$\r\n"));
    const std::vector<Field> &fields = request.fields.all();
    ASSERT_EQ(fields.size(), 5u);
    EXPECT_EQ(std::get<Header>(fields[0]), (Header{"X-Second", "2"}));
    EXPECT_EQ(std::get<MessageId>(fields[1]).value, "msg00001");
    EXPECT_EQ(std::get<Header>(fields[2]), (Header{"X-First", "1"}));
    EXPECT_EQ(std::get<Header>(fields[3]), (Header{"Content-Disposition", "inline"}));
    EXPECT_EQ(std::get<Header>(fields[4]), (Header{"Content-ID", "<part1@example.com>"}));
    EXPECT_EQ(request.body->content_type, "text/plain");
}

TEST(MsrpParser, MultiHopPathsKeepEveryUri)
{
    Request request = only_request(request_head("MSRP abcd1234 SEND",
                                                "To-Path: msrps://relay.example.com:2855/r1;tcp "
                                                "msrps://bob.example.com:9000/b1;tcp\r\n" +
                                                    kFrom) +
                                   "-------abcd1234$\r\n");
    ASSERT_EQ(request.to_path.size(), 2u);
    EXPECT_EQ(request.to_path[0].host, "relay.example.com");
    EXPECT_EQ(request.to_path[1].session_id, "b1");
}

TEST(MsrpParser, HeaderValueWhitespaceIsTrimmed)
{
    Request request = only_request(request_head("MSRP abcd1234 SEND",
                                                kTo + kFrom + "Message-ID:msg00001\r\nX-Pad: \t padded value \t\r\n") +
                                   "-------abcd1234$\r\n");
    EXPECT_EQ(request.fields.find<MessageId>()->value, "msg00001");
    EXPECT_EQ(*request.fields.find_header("X-Pad"), "padded value");
}

TEST(MsrpParser, TwoMessagesInterleavedAsChunksOnOneStream)
{
    std::string stream;
    stream += send_wire("tidA0001", "Hello, ", '+', "Byte-Range: 1-7/12\r\n");
    stream += send_wire("tidB0001", "abc", '+', "Byte-Range: 1-3/6\r\n");
    stream += send_wire("tidA0002", "World", '$', "Byte-Range: 8-12/12\r\n");
    stream += send_wire("tidB0002", "def", '$', "Byte-Range: 4-6/6\r\n");
    std::vector<Frame> frames = parse_ok(stream);
    ASSERT_EQ(frames.size(), 4u);
    EXPECT_EQ(std::get<Request>(frames[0]).body->bytes, "Hello, ");
    EXPECT_EQ(std::get<Request>(frames[1]).body->bytes, "abc");
    EXPECT_EQ(std::get<Request>(frames[2]).body->bytes, "World");
    EXPECT_EQ(std::get<Request>(frames[3]).body->bytes, "def");
    EXPECT_EQ(std::get<Request>(frames[2]).continuation, Continuation::complete);
}

TEST(MsrpParser, FramesBeforeAnErrorAreDelivered)
{
    Parser parser;
    std::vector<Frame> frames;
    EXPECT_FALSE(parser.feed(send_wire("abcd1234", "ok") + "GET / HTTP/1.1\r\n", frames));
    EXPECT_EQ(frames.size(), 1u);
    EXPECT_EQ(parser.error()->kind, ErrorKind::malformed_start_line);
}

TEST(MsrpParser, BetweenFramesTellsWhetherAFrameIsPartial)
{
    Parser parser;
    std::vector<Frame> frames;
    EXPECT_TRUE(parser.between_frames());
    std::string wire = send_wire("abcd1234", "body");
    parser.feed(std::string_view(wire).substr(0, 3), frames);
    EXPECT_FALSE(parser.between_frames());
    parser.feed(std::string_view(wire).substr(3, 100), frames);
    EXPECT_FALSE(parser.between_frames());
    parser.feed(std::string_view(wire).substr(103), frames);
    EXPECT_TRUE(parser.between_frames());
    EXPECT_EQ(frames.size(), 1u);
}

TEST(MsrpParserLimits, HeaderBlockAtTheLimitPassesAndOneByteMoreFails)
{
    std::string head = "MSRP abcd1234 SEND\r\n" + kTo + kFrom;
    std::string end = "-------abcd1234$\r\n";
    std::string padding_name = "X-Pad: ";
    std::size_t fixed = head.size() + padding_name.size() + 2 + end.size();
    ParserLimits limits;
    limits.max_header_bytes = 1024;
    std::string exact = head + padding_name + std::string(1024 - fixed, 'p') + "\r\n" + end;
    ASSERT_EQ(exact.size(), 1024u);
    EXPECT_EQ(parse_ok(exact, limits).size(), 1u);

    std::string over = head + padding_name + std::string(1025 - fixed, 'p') + "\r\n" + end;
    EXPECT_EQ(parse_error(over, limits).kind, ErrorKind::header_too_large);
    EXPECT_EQ(parse_error_bytewise(over, limits).kind, ErrorKind::header_too_large);
}

TEST(MsrpParserLimits, EndlessHeaderLineFailsWithoutWaitingForItsEnd)
{
    Parser parser;
    std::vector<Frame> frames;
    std::string start = "MSRP abcd1234 SEND\r\nX-Long: ";
    EXPECT_TRUE(parser.feed(start, frames));
    std::string junk(4096, 'j');
    bool ok = true;
    for (int i = 0; i < 8 && ok; ++i) ok = parser.feed(junk, frames);
    EXPECT_FALSE(ok);
    EXPECT_EQ(parser.error()->kind, ErrorKind::header_too_large);
}

TEST(MsrpParserLimits, DefaultLimitsPass64KAnd16KChunks)
{
    for (std::size_t size : {std::size_t{16 * 1024}, std::size_t{64 * 1024}, std::size_t{1024 * 1024}}) {
        std::string body(size, 'b');
        Request request = only_request(send_wire("abcd1234", body));
        EXPECT_EQ(request.body->bytes.size(), size);
    }
}

TEST(MsrpParserLimits, BodyAtTheLimitPassesAndOneByteMoreFails)
{
    ParserLimits limits;
    limits.max_body_bytes = 100;
    EXPECT_EQ(only_request(send_wire("abcd1234", std::string(100, 'b')), limits).body->bytes.size(), 100u);
    std::string over = send_wire("abcd1234", std::string(101, 'b'));
    EXPECT_EQ(parse_error(over, limits).kind, ErrorKind::body_too_large);
    EXPECT_EQ(parse_error_bytewise(over, limits).kind, ErrorKind::body_too_large);
}

TEST(MsrpParserLimits, UnterminatedBodyFailsAtTheLimit)
{
    ParserLimits limits;
    limits.max_body_bytes = 1000;
    Parser parser(limits);
    std::vector<Frame> frames;
    std::string wire = send_wire("abcd1234", "");
    wire.resize(wire.size() - std::string("\r\n-------abcd1234$\r\n").size());
    EXPECT_TRUE(parser.feed(wire, frames));
    EXPECT_TRUE(parser.feed(std::string(1000, 'x'), frames));
    EXPECT_FALSE(parser.feed("y", frames));
    EXPECT_EQ(parser.error()->kind, ErrorKind::body_too_large);
}

TEST(MsrpParserLimits, NonSendBodiesAreCappedAt10240)
{
    auto report = [](std::size_t size) {
        return request_head("MSRP abcd1234 REPORT", kTo + kFrom + "Message-ID: msg00001\r\nStatus: 000 200 OK\r\n"
                                                                  "Content-Type: text/plain\r\n") +
               "\r\n" + std::string(size, 'r') + "\r\n-------abcd1234$\r\n";
    };
    EXPECT_EQ(only_request(report(10240)).body->bytes.size(), 10240u);
    EXPECT_EQ(parse_error(report(10241)).kind, ErrorKind::body_too_large);
}

TEST(MsrpParserErrors, MalformedStartLines)
{
    const std::vector<std::string> lines = {
        "GET / HTTP/1.1",
        "msrp abcd1234 SEND",
        "MSRP",
        "MSRP abcd1234",
        "MSRP  abcd1234 SEND",
        "MSRP abc SEND",                                   // transaction id too short
        "MSRP abcdefghijklmnopqrstuvwxyz0123456 SEND",     // 33 characters
        "MSRP -abcd123 SEND",                              // must start alphanumeric
        "MSRP abcd/123 SEND",
        "MSRP abcd1234 send",
        "MSRP abcd1234 SEND ",
        "MSRP abcd1234 SE ND",
        "MSRP abcd1234 ",
        "MSRP abcd1234 20 OK",
        "MSRP abcd1234 2000",
        "MSRP abcd1234 200OK",
        "MSRP abcd1234 200 bad\x01comment",
    };
    for (const std::string &line : lines) {
        std::string wire = line + "\r\n" + kTo + kFrom + "-------abcd1234$\r\n";
        EXPECT_EQ(parse_error(wire).kind, ErrorKind::malformed_start_line) << line;
    }
    EXPECT_EQ(parse_error("MSRP abcd1234 SEND\n").kind, ErrorKind::malformed_start_line);  // bare LF
}

TEST(MsrpParserErrors, MalformedHeaders)
{
    const std::vector<std::string> headers = {
        kTo + kFrom + "No colon here\r\n",
        kTo + kFrom + "Bad Name: x\r\n",
        kTo + kFrom + "1Name: x\r\n",
        kTo + kFrom + ": x\r\n",
        kTo + kFrom + " folded: x\r\n",
        kTo + kFrom + "X-Control: a\x01z\r\n",
        kTo + kFrom + "X-Bad-Utf8: \xff\r\n",
        kTo + kFrom + "X-Cr: a\rb\r\n",
        kTo + kFrom + "X-Bare-Lf: a\n",
        kTo + kTo + kFrom,
        kTo + kFrom + kFrom,
        kFrom,
        kTo,
        "",
        kTo + kFrom + "Message-ID: abc\r\n",
        kTo + kFrom + "Message-ID: msg00001\r\nMessage-ID: msg00002\r\n",
        kTo + kFrom + "Success-Report: maybe\r\n",
        kTo + kFrom + "Failure-Report: sometimes\r\n",
        kTo + kFrom + "Status: 200 OK\r\n",
        kTo + kFrom + "Status: 000 20 OK\r\n",
        kTo + kFrom + "To-Path:\r\n",
    };
    for (const std::string &lines : headers) {
        std::string wire = "MSRP abcd1234 SEND\r\n" + lines + "-------abcd1234$\r\n";
        EXPECT_EQ(parse_error(wire).kind, ErrorKind::malformed_header) << lines;
    }
}

TEST(MsrpParserErrors, MalformedByteRanges)
{
    const std::vector<std::string> ranges = {
        "0-5/5", "5-3/10", "1-20/10", "12-*/10", "a-5/5", "1-5", "1/5", "1-*/x", "1-x/*", "-1-5/5", "1--5/5",
        "99999999999999999999-*/*", "1-5/5 extra", "",
    };
    for (const std::string &range : ranges) {
        std::string wire = "MSRP abcd1234 SEND\r\n" + kTo + kFrom + "Byte-Range: " + range + "\r\n-------abcd1234$\r\n";
        EXPECT_EQ(parse_error(wire).kind, ErrorKind::malformed_byte_range) << range;
    }
}

TEST(MsrpParserErrors, MalformedUrisInPaths)
{
    std::string wire = "MSRP abcd1234 SEND\r\nTo-Path: http://bob.example.com:80/x;tcp\r\n" + kFrom +
                       "-------abcd1234$\r\n";
    EXPECT_EQ(parse_error(wire).kind, ErrorKind::malformed_uri);
    wire = "MSRP abcd1234 SEND\r\n" + kTo + "From-Path: msrp://a.example.com:1/s;tcp msrp://b.example.com:2/s\r\n" +
           "-------abcd1234$\r\n";
    EXPECT_EQ(parse_error(wire).kind, ErrorKind::malformed_uri);
}

TEST(MsrpParserErrors, MalformedEndLines)
{
    for (std::string end : {"-------abcd9999$", "-------abcd1234", "-------abcd1234!", "-------abcd1234$$",
                            "-------abcd12345$", "--------abcd1234$"}) {
        std::string wire = "MSRP abcd1234 SEND\r\n" + kTo + kFrom + end + "\r\n";
        EXPECT_EQ(parse_error(wire).kind, ErrorKind::malformed_end_line) << end;
    }
}

TEST(MsrpParserErrors, BodyFramingErrors)
{
    // A blank line starts a body, which needs a Content-Type.
    EXPECT_EQ(parse_error("MSRP abcd1234 SEND\r\n" + kTo + kFrom + "\r\nhi\r\n-------abcd1234$\r\n").kind,
              ErrorKind::malformed_body);
    // A Content-Type promises a body.
    EXPECT_EQ(parse_error("MSRP abcd1234 SEND\r\n" + kTo + kFrom + "Content-Type: text/plain\r\n-------abcd1234$\r\n")
                  .kind,
              ErrorKind::malformed_body);
    // Responses never carry one.
    EXPECT_EQ(parse_error("MSRP abcd1234 200 OK\r\n" + kTo + kFrom + "\r\nhi\r\n-------abcd1234$\r\n").kind,
              ErrorKind::malformed_body);
    EXPECT_EQ(parse_error("MSRP abcd1234 200 OK\r\n" + kTo + kFrom + "Content-Type: text/plain\r\n").kind,
              ErrorKind::malformed_header);
    EXPECT_EQ(parse_error("MSRP abcd1234 SEND\r\n" + kTo + kFrom + "Content-Type: text\r\n").kind,
              ErrorKind::malformed_header);
    EXPECT_EQ(parse_error("MSRP abcd1234 SEND\r\n" + kTo + kFrom +
                          "Content-Type: text/plain\r\nContent-Type: text/html\r\n")
                  .kind,
              ErrorKind::malformed_header);
}

TEST(MsrpParserErrors, BytewiseFeedingReportsTheSameErrors)
{
    const std::vector<std::string> wires = {
        "MSRP abcd1234 SEND\r\nX bad\r\n",
        "MSRP abcd1234 SEND\r\n" + kTo + kFrom + "Byte-Range: 0-1/1\r\n",
        "MSRP abcd1234 SEND\r\n" + kTo + kFrom + "-------abcd9999$\r\n",
        "MSRP abcd1234 SEND\r\n" + kTo + kFrom + "\r\n",
        "HTTP/1.1 200 OK\r\n",
    };
    for (const std::string &wire : wires) EXPECT_EQ(parse_error_bytewise(wire), parse_error(wire)) << wire;
}

TEST(MsrpParserErrors, NulAndGarbageNeverCrash)
{
    std::string garbage;
    for (int i = 0; i < 4096; ++i) garbage.push_back(static_cast<char>((i * 131 + 7) % 256));
    Parser parser;
    std::vector<Frame> frames;
    EXPECT_FALSE(parser.feed(garbage, frames));
    EXPECT_TRUE(frames.empty());
}

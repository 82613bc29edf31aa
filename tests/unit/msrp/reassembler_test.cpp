#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "im/msrp/parser.hpp"
#include "im/msrp/reassembler.hpp"
#include "im/msrp/serializer.hpp"

namespace {

using namespace im::msrp;

Request chunk(std::string_view message_id, std::uint64_t start, std::string_view data, Continuation flag,
              std::optional<std::uint64_t> total = std::nullopt, bool with_range = true)
{
    Request request;
    request.transaction_id = "tx000001";
    request.method = "SEND";
    request.to_path = {parse_uri("msrp://bob.example.com:1/b;tcp").value()};
    request.from_path = {parse_uri("msrp://alice.example.com:2/a;tcp").value()};
    request.fields.set(MessageId{std::string(message_id)});
    if (with_range) {
        std::optional<std::uint64_t> end;
        if (flag != Continuation::more) end = start + data.size() - 1;
        request.fields.set(ByteRange{start, end, total});
    }
    request.body = Body{"text/plain", std::string(data)};
    request.continuation = flag;
    return request;
}

ChunkOutcome added(Reassembler &reassembler, Request request)
{
    auto outcome = reassembler.add(std::move(request));
    EXPECT_TRUE(outcome.ok()) << (outcome.ok() ? "" : outcome.error().reason);
    return outcome.ok() ? outcome.value() : ChunkOutcome{};
}

ReassemblyErrorKind refused(Reassembler &reassembler, Request request)
{
    auto outcome = reassembler.add(std::move(request));
    EXPECT_FALSE(outcome.ok());
    return outcome.ok() ? ReassemblyErrorKind{} : outcome.error().kind;
}

std::string completed(const ChunkOutcome &outcome)
{
    EXPECT_EQ(outcome.state, ChunkState::complete);
    return outcome.message ? outcome.message->bytes : std::string("<pending>");
}

struct Piece {
    std::uint64_t start;
    std::string data;
    Continuation flag;
};

// "The quick brown fox jumps over the lazy dog" in five chunks, the last '$'.
const std::string kText = "The quick brown fox jumps over the lazy dog";

std::vector<Piece> five_pieces()
{
    std::vector<std::size_t> cuts = {0, 4, 10, 20, 31, kText.size()};
    std::vector<Piece> pieces;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        bool last = i + 2 == cuts.size();
        pieces.push_back({cuts[i] + 1, kText.substr(cuts[i], cuts[i + 1] - cuts[i]),
                          last ? Continuation::complete : Continuation::more});
    }
    return pieces;
}

}  // namespace

TEST(MsrpReassembler, WholeMessageInOneChunkPassesThrough)
{
    Reassembler reassembler;
    ChunkOutcome outcome = added(reassembler, chunk("msg00001", 1, "hello", Continuation::complete, 5));
    ASSERT_EQ(outcome.state, ChunkState::complete);
    EXPECT_EQ(*outcome.message, (CompleteMessage{"msg00001", "text/plain", "hello"}));
    EXPECT_EQ(reassembler.open_messages(), 0u);
}

TEST(MsrpReassembler, RequestWithoutByteRangeIsAWholeMessage)
{
    Reassembler reassembler;
    EXPECT_EQ(completed(added(reassembler, chunk("msg00001", 1, "hi", Continuation::complete, {}, false))), "hi");
}

TEST(MsrpReassembler, RfcFigure3Chunks)
{
    Reassembler reassembler;
    EXPECT_EQ(added(reassembler, chunk("4564dpWd", 1, "abcd", Continuation::more, 8)).state, ChunkState::pending);
    EXPECT_EQ(reassembler.open_messages(), 1u);
    EXPECT_EQ(reassembler.buffered_bytes(), 4u);
    EXPECT_EQ(completed(added(reassembler, chunk("4564dpWd", 5, "EFGH", Continuation::complete, 8))), "abcdEFGH");
    EXPECT_EQ(reassembler.open_messages(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
}

TEST(MsrpReassembler, EveryOrderOfChunksGivesTheMessage)
{
    std::vector<Piece> pieces = five_pieces();
    std::vector<std::size_t> order(pieces.size());
    std::iota(order.begin(), order.end(), 0);
    int permutations = 0;
    do {
        Reassembler reassembler;
        for (std::size_t k = 0; k < order.size(); ++k) {
            const Piece &piece = pieces[order[k]];
            ChunkOutcome outcome = added(reassembler, chunk("msg00001", piece.start, piece.data, piece.flag));
            if (k + 1 < order.size()) {
                ASSERT_EQ(outcome.state, ChunkState::pending);
            } else {
                ASSERT_EQ(completed(outcome), kText);
            }
        }
        EXPECT_EQ(reassembler.buffered_bytes(), 0u);
        ++permutations;
    } while (std::next_permutation(order.begin(), order.end()));
    EXPECT_EQ(permutations, 120);
}

TEST(MsrpReassembler, DuplicatesAndOverlapsAreHarmlessAndTheLastChunkWins)
{
    Reassembler reassembler;
    EXPECT_EQ(added(reassembler, chunk("msg00001", 1, "0123456789", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(added(reassembler, chunk("msg00001", 1, "0123456789", Continuation::more)).state, ChunkState::pending);
    // Bytes 6 to 15 overwrite 6 to 10 (RFC 4975 7.3.1: the last chunk received takes precedence).
    EXPECT_EQ(added(reassembler, chunk("msg00001", 6, "ABCDEFGHIJ", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(added(reassembler, chunk("msg00001", 3, "xy", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(completed(added(reassembler, chunk("msg00001", 14, "NOPQ", Continuation::complete, 17))),
              "01xy4ABCDEFGHNOPQ");
}

TEST(MsrpReassembler, GapKeepsTheMessagePending)
{
    Reassembler reassembler;
    EXPECT_EQ(added(reassembler, chunk("msg00001", 1, "abc", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(added(reassembler, chunk("msg00001", 7, "ghi", Continuation::complete, 9)).state, ChunkState::pending);
    EXPECT_EQ(added(reassembler, chunk("msg00001", 5, "ef", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(completed(added(reassembler, chunk("msg00001", 4, "d", Continuation::more))), "abcdefghi");
}

TEST(MsrpReassembler, InterruptedChunkIsResumedLater)
{
    // A '+' chunk announced bytes 1-* of 20 but was interrupted after 8 bytes;
    // the sender resumes at byte 9 (RFC 4975 7.1.1).
    Reassembler reassembler;
    EXPECT_EQ(added(reassembler, chunk("msg00001", 1, "interrup", Continuation::more, 20)).state, ChunkState::pending);
    EXPECT_EQ(added(reassembler, chunk("msg00002", 1, "other", Continuation::complete, 5)).state, ChunkState::complete);
    EXPECT_EQ(completed(added(reassembler, chunk("msg00001", 9, "ted, resumed", Continuation::complete, 20))),
              "interrupted, resumed");
}

TEST(MsrpReassembler, AbortedMessageIsDropped)
{
    Reassembler reassembler;
    EXPECT_EQ(added(reassembler, chunk("msg00001", 1, "abc", Continuation::more)).state, ChunkState::pending);
    ChunkOutcome aborted = added(reassembler, chunk("msg00001", 4, "de", Continuation::aborted));
    EXPECT_EQ(aborted.state, ChunkState::aborted);
    EXPECT_FALSE(aborted.message.has_value());
    EXPECT_EQ(reassembler.open_messages(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
    // The Message-ID may be used again afterwards, starting afresh.
    EXPECT_EQ(added(reassembler, chunk("msg00001", 4, "de", Continuation::complete)).state, ChunkState::pending);
}

TEST(MsrpReassembler, DollarChunkDefinesTheLength)
{
    // RFC 4975 figure 2 announces 25 bytes but carries 23; the '$' chunk wins.
    Reassembler reassembler;
    EXPECT_EQ(completed(added(reassembler, chunk("87652491", 1, "Hey Bob, are you there?", Continuation::complete, 25))),
              "Hey Bob, are you there?");
    // A later '$' chunk shortens a message whose earlier chunks ran further.
    EXPECT_EQ(added(reassembler, chunk("msg00002", 5, "efghij", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(completed(added(reassembler, chunk("msg00002", 1, "abcd", Continuation::complete))), "abcd");
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);
    // A later '$' chunk may also lengthen it, and its own bytes count.
    EXPECT_EQ(added(reassembler, chunk("msg00003", 3, "c", Continuation::more)).state, ChunkState::pending);
    EXPECT_EQ(added(reassembler, chunk("msg00003", 5, "ef", Continuation::complete)).state, ChunkState::pending);
    EXPECT_EQ(completed(added(reassembler, chunk("msg00003", 1, "abcdefgh", Continuation::complete))), "abcdefgh");
}

TEST(MsrpReassembler, EmptyMessage)
{
    Reassembler reassembler;
    EXPECT_EQ(completed(added(reassembler, chunk("msg00001", 1, "", Continuation::complete, 0))), "");
    Request bodiless = chunk("msg00002", 1, "", Continuation::complete, 0);
    bodiless.body.reset();
    ChunkOutcome outcome = added(reassembler, bodiless);
    EXPECT_EQ(completed(outcome), "");
    EXPECT_EQ(outcome.message->content_type, "");
}

TEST(MsrpReassembler, ContentTypeComesFromTheFirstChunkWithABody)
{
    Reassembler reassembler;
    Request first = chunk("msg00001", 4, "def", Continuation::complete);
    first.body->content_type = "message/cpim";
    added(reassembler, first);
    ChunkOutcome outcome = added(reassembler, chunk("msg00001", 1, "abc", Continuation::more));
    EXPECT_EQ(completed(outcome), "abcdef");
    EXPECT_EQ(outcome.message->content_type, "message/cpim");
}

TEST(MsrpReassembler, SizeLimits)
{
    ReassemblyLimits limits;
    limits.max_message_bytes = 100;
    limits.max_buffered_bytes = 150;
    limits.max_open_messages = 2;
    Reassembler reassembler(limits);

    EXPECT_EQ(refused(reassembler, chunk("msg00001", 1, "x", Continuation::more, 101)),
              ReassemblyErrorKind::message_too_large);
    EXPECT_EQ(refused(reassembler, chunk("msg00001", 100, "xy", Continuation::more)),
              ReassemblyErrorKind::message_too_large);
    EXPECT_EQ(refused(reassembler, chunk("msg00001", UINT64_MAX, "x", Continuation::more)),
              ReassemblyErrorKind::message_too_large);
    EXPECT_EQ(completed(added(reassembler, chunk("msg00001", 1, std::string(100, 'a'), Continuation::complete, 100))),
              std::string(100, 'a'));

    // A message that grows past the limit is dropped with its buffer.
    EXPECT_EQ(added(reassembler, chunk("msg00002", 1, std::string(60, 'b'), Continuation::more)).state,
              ChunkState::pending);
    EXPECT_EQ(refused(reassembler, chunk("msg00002", 61, std::string(41, 'b'), Continuation::more)),
              ReassemblyErrorKind::message_too_large);
    EXPECT_EQ(reassembler.open_messages(), 0u);
    EXPECT_EQ(reassembler.buffered_bytes(), 0u);

    // All unfinished messages together.
    EXPECT_EQ(added(reassembler, chunk("msg00003", 1, std::string(90, 'c'), Continuation::more)).state,
              ChunkState::pending);
    EXPECT_EQ(refused(reassembler, chunk("msg00004", 1, std::string(61, 'd'), Continuation::more)),
              ReassemblyErrorKind::buffer_full);
    EXPECT_EQ(reassembler.buffered_bytes(), 90u);
    EXPECT_EQ(added(reassembler, chunk("msg00004", 1, std::string(60, 'd'), Continuation::more)).state,
              ChunkState::pending);
    EXPECT_EQ(refused(reassembler, chunk("msg00005", 1, "e", Continuation::more)),
              ReassemblyErrorKind::too_many_messages);
    EXPECT_TRUE(reassembler.discard("msg00003"));
    EXPECT_FALSE(reassembler.discard("msg00003"));
    EXPECT_EQ(reassembler.buffered_bytes(), 60u);
    EXPECT_EQ(added(reassembler, chunk("msg00005", 1, "e", Continuation::more)).state, ChunkState::pending);
}

TEST(MsrpReassembler, ChunkWithoutMessageIdIsRefused)
{
    Reassembler reassembler;
    Request request = chunk("msg00001", 1, "x", Continuation::complete);
    request.fields.erase<MessageId>();
    EXPECT_EQ(refused(reassembler, request), ReassemblyErrorKind::missing_message_id);
}

TEST(MsrpReassembler, TwoMessagesInterleavedOnTheWire)
{
    // Two messages chunked, serialized alternately onto one connection, cut in
    // odd pieces, parsed and reassembled.
    std::string first(5000, ' ');
    std::string second(3000, ' ');
    for (std::size_t i = 0; i < first.size(); ++i) first[i] = static_cast<char>('a' + i % 26);
    for (std::size_t i = 0; i < second.size(); ++i) second[i] = static_cast<char>(i % 256);

    std::string wire;
    std::size_t sent_first = 0, sent_second = 0;
    int transaction = 0;
    auto send_piece = [&](const std::string &message, std::size_t &sent, std::string_view id, std::size_t size) {
        std::size_t take = std::min(size, message.size() - sent);
        bool last = sent + take == message.size();
        Request request = chunk(id, sent + 1, message.substr(sent, take), last ? Continuation::complete : Continuation::more,
                                message.size());
        request.transaction_id = "tx" + std::to_string(100000 + transaction++);
        wire += serialize(request);
        sent += take;
    };
    while (sent_first < first.size() || sent_second < second.size()) {
        if (sent_first < first.size()) send_piece(first, sent_first, "first001", 2048);
        if (sent_second < second.size()) send_piece(second, sent_second, "second01", 700);
    }

    Parser parser;
    Reassembler reassembler;
    std::vector<CompleteMessage> messages;
    for (std::size_t at = 0, piece = 1; at < wire.size(); at += piece, piece = piece * 7 % 1013 + 1) {
        std::vector<Frame> frames;
        ASSERT_TRUE(parser.feed(std::string_view(wire).substr(at, piece), frames));
        for (Frame &frame : frames) {
            ChunkOutcome outcome = added(reassembler, std::get<Request>(std::move(frame)));
            if (outcome.message) messages.push_back(*outcome.message);
        }
    }
    // The first message needs three rounds, the second five.
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages[0].message_id, "first001");
    EXPECT_EQ(messages[0].bytes, first);
    EXPECT_EQ(messages[1].message_id, "second01");
    EXPECT_EQ(messages[1].bytes, second);
}

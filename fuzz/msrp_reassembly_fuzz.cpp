// Chunk reassembly (im/msrp/reassembler.hpp) under arbitrary chunk
// sequences. Every four input bytes make one chunk of one of four reference
// messages: which message, its flag, whether it has a Byte-Range total, its
// start and its length. Chunk data is always cut from the reference message,
// so whatever completes must be a prefix of it. A simple model (a bit per
// byte) predicts when a message completes; limits must hold at every step.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "im/msrp/reassembler.hpp"

namespace {

using namespace im::msrp;

constexpr std::size_t kReferenceSize = 300;
constexpr int kMessages = 4;

void require(bool condition, const char *what)
{
    if (condition) return;
    std::fprintf(stderr, "msrp_reassembly_fuzz: %s\n", what);
    std::abort();
}

std::string reference(int message)
{
    std::string bytes(kReferenceSize, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 31 + message * 7 + i / 256) % 251);
    return bytes;
}

std::string message_id(int message) { return "message" + std::to_string(message); }

// What the reassembler should know about one unfinished message.
struct Model {
    std::vector<bool> covered = std::vector<bool>(kReferenceSize, false);
    std::optional<std::size_t> length;

    bool complete() const
    {
        if (!length) return false;
        for (std::size_t i = 0; i < *length; ++i)
            if (!covered[i]) return false;
        return true;
    }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    ReassemblyLimits limits;
    limits.max_message_bytes = 256;
    limits.max_buffered_bytes = 600;
    limits.max_open_messages = 3;
    Reassembler reassembler(limits);
    std::map<int, Model> models;
    std::string references[kMessages];
    for (int m = 0; m < kMessages; ++m) references[m] = reference(m);

    for (std::size_t at = 0; at + 4 <= size; at += 4) {
        std::uint8_t shape = data[at];
        int message = shape & 3;
        Continuation flag = (shape >> 2 & 3) == 0   ? Continuation::complete
                            : (shape >> 2 & 3) == 1 ? Continuation::aborted
                                                    : Continuation::more;
        std::size_t start = 1 + data[at + 1] % kReferenceSize;
        std::size_t length = std::min<std::size_t>(data[at + 2], kReferenceSize - (start - 1));
        bool has_id = (data[at + 3] & 0x80) == 0;

        Request chunk;
        chunk.method = "SEND";
        if (has_id) chunk.fields.set(MessageId{message_id(message)});
        ByteRange range{start, std::nullopt, std::nullopt};
        if (shape & 0x10) range.total = kReferenceSize;
        if (shape & 0x20) range.total = data[at + 3] & 0x7f;  // possibly inconsistent
        if (range.total && start - 1 > *range.total) range.total.reset();
        chunk.fields.set(range);
        chunk.body = Body{"text/plain", references[message].substr(start - 1, length)};
        chunk.continuation = flag;

        auto outcome = reassembler.add(std::move(chunk));
        if (!has_id) {
            require(!outcome.ok() && outcome.error().kind == ReassemblyErrorKind::missing_message_id,
                    "chunk without Message-ID accepted");
            continue;
        }
        if (!outcome.ok()) {
            ReassemblyErrorKind kind = outcome.error().kind;
            require(kind != ReassemblyErrorKind::missing_message_id, "Message-ID reported missing");
            if (kind != ReassemblyErrorKind::too_many_messages) models.erase(message);
            require(kind != ReassemblyErrorKind::too_many_messages || !models.contains(message),
                    "too many messages for an open one");
        } else if (flag == Continuation::aborted) {
            require(outcome.value().state == ChunkState::aborted, "'#' did not abort");
            models.erase(message);
        } else {
            Model &model = models[message];
            std::size_t offset = start - 1;
            if (flag == Continuation::complete) {  // '$' fixes the length first
                model.length = offset + length;
                for (std::size_t i = *model.length; i < kReferenceSize; ++i) model.covered[i] = false;
            }
            for (std::size_t i = offset; i < offset + length && (!model.length || i < *model.length); ++i)
                model.covered[i] = true;
            bool expected = model.complete();
            const ChunkOutcome &result = outcome.value();
            require(expected == (result.state == ChunkState::complete), "completion differs from the model");
            if (expected) {
                require(result.message.has_value(), "complete without a message");
                require(result.message->message_id == message_id(message), "wrong Message-ID");
                require(result.message->bytes == references[message].substr(0, *model.length),
                        "reassembled bytes differ from the reference");
                models.erase(message);
            }
        }
        require(reassembler.open_messages() == models.size(), "open messages differ from the model");
        require(reassembler.open_messages() <= limits.max_open_messages, "too many open messages");
        require(reassembler.buffered_bytes() <= limits.max_buffered_bytes, "buffer limit exceeded");
    }
    for (int m = 0; m < kMessages; ++m) reassembler.discard(message_id(m));
    require(reassembler.buffered_bytes() == 0, "bytes left after discarding everything");
    return 0;
}

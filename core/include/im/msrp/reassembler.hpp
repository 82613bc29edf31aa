#pragma once
// Reassembly of chunked SEND requests into messages (RFC 4975 5.1, 7.1.1,
// 7.3.1): chunks of one Message-ID in any order, of any size, overlapping
// or repeated (the last one received wins), interrupted and resumed; the
// chunk with the '$' flag fixes the message length, one with '#' aborts it.
// One Reassembler per session: Message-IDs are only unique per sender.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "im/msrp/message.hpp"
#include "im/msrp/result.hpp"

namespace im::msrp {

struct ReassemblyLimits {
    // Largest message; chunks reaching past it, or announcing a larger
    // total, are refused (answer 413).
    std::uint64_t max_message_bytes = 16 * 1024 * 1024;
    // Bytes buffered for all unfinished messages together.
    std::uint64_t max_buffered_bytes = 64 * 1024 * 1024;
    std::size_t max_open_messages = 64;
    // Reserve a message's buffer at its first chunk for the total its
    // Byte-Range announces (within the limits above). Saves regrowing a large
    // message; off by default, since a peer could announce totals it never
    // sends (an endpoint that receives files turns it on).
    bool reserve_announced_total = false;
};

enum class ReassemblyErrorKind {
    missing_message_id,  // a SEND chunk must carry Message-ID
    message_too_large,   // the message would exceed max_message_bytes; it is dropped
    buffer_full,         // max_buffered_bytes reached; the message is dropped
    too_many_messages,   // max_open_messages unfinished messages already
};

struct ReassemblyError {
    ReassemblyErrorKind kind = ReassemblyErrorKind::missing_message_id;
    std::string reason;

    bool operator==(const ReassemblyError &) const = default;
};

struct CompleteMessage {
    std::string message_id;
    std::string content_type;  // of the first chunk that had a body
    std::string bytes;

    bool operator==(const CompleteMessage &) const = default;
};

enum class ChunkState { pending, complete, aborted };

struct ChunkOutcome {
    ChunkState state = ChunkState::pending;
    std::optional<CompleteMessage> message;  // when state is complete
};

// The bytes of one message received so far and the ranges they cover.
class MessageBuffer {
public:
    // Places data at offset (0-based); overlapping bytes are overwritten.
    // Bytes at or past a known length are dropped.
    void write(std::uint64_t offset, std::string data);
    // The message is exactly length bytes; coverage past it is forgotten.
    void set_length(std::uint64_t length);
    // Room for that many bytes, allocated now.
    void reserve(std::uint64_t bytes);
    bool complete() const;
    // The message bytes; only when complete().
    std::string take();

    std::uint64_t buffered_bytes() const { return bytes_.size(); }
    std::optional<std::uint64_t> length() const { return length_; }

private:
    void cover(std::uint64_t begin, std::uint64_t end);

    std::string bytes_;
    std::map<std::uint64_t, std::uint64_t> covered_;  // begin -> end, disjoint and not touching
    std::optional<std::uint64_t> length_;
};

class Reassembler {
public:
    explicit Reassembler(ReassemblyLimits limits = {});

    // Takes one SEND chunk (its body is moved out). A whole message in one
    // chunk passes through without a copy.
    Result<ChunkOutcome, ReassemblyError> add(Request chunk);

    // Forgets an unfinished message (session ended, 413 sent...).
    bool discard(std::string_view message_id);
    std::size_t open_messages() const { return open_.size(); }
    std::uint64_t buffered_bytes() const { return buffered_bytes_; }

private:
    struct OpenMessage {
        MessageBuffer buffer;
        std::string content_type;
    };
    using OpenMap = std::map<std::string, OpenMessage, std::less<>>;

    ReassemblyError drop(OpenMap::iterator message, ReassemblyError error);

    ReassemblyLimits limits_;
    OpenMap open_;
    std::uint64_t buffered_bytes_ = 0;
};

}  // namespace im::msrp

#include "im/msrp/reassembler.hpp"

#include <algorithm>
#include <iterator>

namespace im::msrp {

void MessageBuffer::write(std::uint64_t offset, std::string data)
{
    if (length_) {
        if (offset >= *length_) return;
        if (data.size() > *length_ - offset) data.resize(static_cast<std::size_t>(*length_ - offset));
    }
    if (data.empty()) return;
    std::uint64_t end = offset + data.size();
    if (bytes_.empty() && offset == 0 && bytes_.capacity() < data.capacity()) {
        bytes_ = std::move(data);  // the usual first chunk, nothing reserved: no copy
    } else if (offset == bytes_.size()) {
        bytes_ += data;  // the next chunk in order: no zero-filling first
    } else {
        if (bytes_.size() < end) bytes_.resize(static_cast<std::size_t>(end));
        std::copy(data.begin(), data.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(offset));
    }
    cover(offset, end);
}

void MessageBuffer::cover(std::uint64_t begin, std::uint64_t end)
{
    auto next = covered_.upper_bound(begin);
    if (next != covered_.begin()) {
        auto previous = std::prev(next);
        if (previous->second >= begin) {
            begin = previous->first;
            end = std::max(end, previous->second);
            covered_.erase(previous);
        }
    }
    while (next != covered_.end() && next->first <= end) {
        end = std::max(end, next->second);
        next = covered_.erase(next);
    }
    covered_.emplace(begin, end);
}

void MessageBuffer::set_length(std::uint64_t length)
{
    length_ = length;
    if (bytes_.size() > length) bytes_.resize(static_cast<std::size_t>(length));
    covered_.erase(covered_.lower_bound(length), covered_.end());
    if (!covered_.empty()) {
        auto last = std::prev(covered_.end());
        last->second = std::min(last->second, length);
    }
}

void MessageBuffer::reserve(std::uint64_t bytes)
{
    if (bytes > bytes_.capacity()) bytes_.reserve(static_cast<std::size_t>(bytes));
}

bool MessageBuffer::complete() const
{
    if (!length_) return false;
    if (*length_ == 0) return true;
    return covered_.size() == 1 && covered_.begin()->first == 0 && covered_.begin()->second >= *length_;
}

std::string MessageBuffer::take()
{
    std::string out = std::move(bytes_);
    bytes_.clear();
    covered_.clear();
    return out;
}

Reassembler::Reassembler(ReassemblyLimits limits) : limits_(limits) {}

ReassemblyError Reassembler::drop(OpenMap::iterator message, ReassemblyError error)
{
    if (message != open_.end()) {
        buffered_bytes_ -= message->second.buffer.buffered_bytes();
        open_.erase(message);
    }
    return error;
}

Result<ChunkOutcome, ReassemblyError> Reassembler::add(Request chunk)
{
    const MessageId *id = chunk.fields.find<MessageId>();
    if (id == nullptr) return ReassemblyError{ReassemblyErrorKind::missing_message_id, "chunk without Message-ID"};
    std::string message_id = id->value;
    auto open = open_.find(message_id);

    if (chunk.continuation == Continuation::aborted) {
        drop(open, {});
        return ChunkOutcome{ChunkState::aborted, std::nullopt};
    }

    const ByteRange *announced = chunk.fields.find<ByteRange>();
    ByteRange range = announced ? *announced : ByteRange{};
    std::string data = chunk.body ? std::move(chunk.body->bytes) : std::string{};
    std::uint64_t offset = range.start - 1;
    const std::uint64_t max = limits_.max_message_bytes;
    if ((range.total && *range.total > max) || offset > max || data.size() > max - offset)
        return drop(open, {ReassemblyErrorKind::message_too_large,
                           "message exceeds " + std::to_string(max) + " bytes"});
    std::uint64_t end = offset + data.size();
    bool last_chunk = chunk.continuation == Continuation::complete;

    if (open == open_.end()) {
        if (offset == 0 && last_chunk) {  // the whole message in one chunk (7.3.1)
            std::string content_type = chunk.body ? std::move(chunk.body->content_type) : std::string{};
            return ChunkOutcome{ChunkState::complete,
                                CompleteMessage{std::move(message_id), std::move(content_type), std::move(data)}};
        }
        if (open_.size() >= limits_.max_open_messages)
            return ReassemblyError{ReassemblyErrorKind::too_many_messages,
                                   std::to_string(open_.size()) + " messages already unfinished"};
        open = open_.emplace(message_id, OpenMessage{}).first;
        // One buffer of the announced size instead of growing (and copying) it chunk by chunk.
        if (limits_.reserve_announced_total && range.total && *range.total <= max &&
            *range.total <= limits_.max_buffered_bytes - buffered_bytes_)
            open->second.buffer.reserve(*range.total);
    }

    MessageBuffer &buffer = open->second.buffer;
    // RFC 4975 7.3.1: the chunk with '$' defines the total length, also for
    // its own bytes.
    std::optional<std::uint64_t> length = last_chunk ? std::optional(end) : buffer.length();
    std::uint64_t before = buffer.buffered_bytes();
    std::uint64_t reach = length ? std::min(end, *length) : end;
    std::uint64_t growth = reach > before ? reach - before : 0;
    if (growth > limits_.max_buffered_bytes - buffered_bytes_)
        return drop(open, {ReassemblyErrorKind::buffer_full,
                           "unfinished messages exceed " + std::to_string(limits_.max_buffered_bytes) + " bytes"});

    if (open->second.content_type.empty() && chunk.body) open->second.content_type = std::move(chunk.body->content_type);
    if (last_chunk) buffer.set_length(end);
    buffer.write(offset, std::move(data));
    buffered_bytes_ = buffered_bytes_ - before + buffer.buffered_bytes();

    if (!buffer.complete()) return ChunkOutcome{ChunkState::pending, std::nullopt};
    buffered_bytes_ -= buffer.buffered_bytes();
    CompleteMessage message{open->first, std::move(open->second.content_type), buffer.take()};
    open_.erase(open);
    return ChunkOutcome{ChunkState::complete, std::move(message)};
}

bool Reassembler::discard(std::string_view message_id)
{
    auto open = open_.find(message_id);
    if (open == open_.end()) return false;
    drop(open, {});
    return true;
}

}  // namespace im::msrp

#pragma once
// im-msrp-client --verify: compares the payload bytes that --output would
// write (in the same order, with the same take-backs of aborted streamed
// messages) against the expected bytes, without writing anything. A
// benchmark then checks byte identity without paying for a 100 MB write
// into a file system, which was half of the receiving client's CPU.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace im::msrp_relay {

class PayloadVerifier {
public:
    // expected must outlive the verifier (a mapped file).
    explicit PayloadVerifier(std::string_view expected) : expected_(expected) {}

    // The next output bytes; false while the output so far differs from
    // the expected bytes or runs past their end.
    bool append(std::string_view bytes);
    // An aborted streamed message: its bytes, the last ones appended, are
    // taken back, as --output truncates its file; a difference among them
    // is forgotten with them.
    void discard(std::uint64_t count);

    // All expected bytes arrived and nothing differed.
    bool complete() const { return !mismatch_ && offset_ == expected_.size(); }
    // Position (0-based) of the first differing or surplus byte, if any.
    std::optional<std::uint64_t> mismatch() const { return mismatch_; }
    // Bytes of output so far (what --output's file would hold).
    std::uint64_t received() const { return offset_; }
    std::uint64_t expected_size() const { return expected_.size(); }

private:
    std::string_view expected_;
    std::uint64_t offset_ = 0;  // output length; may pass expected_'s end
    std::optional<std::uint64_t> mismatch_;
};

}  // namespace im::msrp_relay

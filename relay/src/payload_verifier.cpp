#include "msrp_relay/payload_verifier.hpp"

#include <algorithm>
#include <cstring>

namespace im::msrp_relay {

bool PayloadVerifier::append(std::string_view bytes)
{
    std::uint64_t start = offset_;
    offset_ += bytes.size();
    // After a difference only the length counts: a discard may still take
    // the difference back, and then everything before it was compared.
    if (mismatch_) return false;
    std::size_t available = start < expected_.size() ? expected_.size() - static_cast<std::size_t>(start) : 0;
    std::size_t compared = std::min(bytes.size(), available);
    const char *expected = expected_.data() + start;
    if (compared > 0 && std::memcmp(bytes.data(), expected, compared) != 0) {
        // Only on a failure: find the byte to report.
        std::size_t at = 0;
        while (bytes[at] == expected[at]) ++at;
        mismatch_ = start + at;
    } else if (compared < bytes.size()) {
        mismatch_ = start + compared;  // more bytes than expected
    }
    return !mismatch_;
}

void PayloadVerifier::discard(std::uint64_t count)
{
    offset_ -= std::min(count, offset_);
    if (mismatch_ && *mismatch_ >= offset_) mismatch_.reset();
}

}  // namespace im::msrp_relay

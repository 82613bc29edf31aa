#include "im/msrp/ids.hpp"

#include <cstring>
#include <vector>

namespace im::msrp {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
static_assert(kAlphabet.size() == 62);

}  // namespace

std::string random_alphanumeric(std::size_t length, const RandomSource &random)
{
    std::string out;
    out.reserve(length);
    while (out.size() < length) {
        std::uint64_t draw = random();
        std::uint64_t bits = draw;
        std::size_t before = out.size();
        for (int group = 0; group < 10 && out.size() < length; ++group, bits >>= 6) {
            auto index = static_cast<std::size_t>(bits & 0x3f);
            if (index < kAlphabet.size()) out.push_back(kAlphabet[index]);
        }
        // Ten rejections in a row (p = 1e-15) mean a degenerate source such as
        // all ones; a slightly biased character beats looping forever.
        if (out.size() == before) out.push_back(kAlphabet[draw % kAlphabet.size()]);
    }
    return out;
}

std::string make_transaction_id(const RandomSource &random)
{
    return random_alphanumeric(kTransactionIdLength, random);
}

std::string make_transaction_id(const RandomSource &random, std::string_view body)
{
    // The flag is irrelevant: any "-------<id>" in the body could read as an
    // end-line. An id starts with an alphanumeric, so such an id begins
    // exactly where a run of at least seven dashes ends. memchr jumps from
    // one dash to the next and each run is measured once: one pass over the
    // body at memchr's speed (a chunk of random bytes holds a dash every
    // 256 bytes or so).
    std::vector<std::size_t> id_starts;
    std::size_t at = 0;
    while (at < body.size()) {
        const void *dash = std::memchr(body.data() + at, '-', body.size() - at);
        if (dash == nullptr) break;
        std::size_t start = static_cast<std::size_t>(static_cast<const char *>(dash) - body.data());
        std::size_t end = start + 1;
        while (end < body.size() && body[end] == '-') ++end;
        if (end - start >= 7) id_starts.push_back(end);
        at = end;
    }
    while (true) {
        std::string id = make_transaction_id(random);
        bool clash = false;
        for (std::size_t start : id_starts) clash = clash || body.substr(start).starts_with(id);
        if (!clash) return id;
    }
}

std::string make_message_id(const RandomSource &random) { return random_alphanumeric(kMessageIdLength, random); }

}  // namespace im::msrp

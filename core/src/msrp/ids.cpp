#include "im/msrp/ids.hpp"

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
    while (true) {
        std::string id = make_transaction_id(random);
        // The flag is irrelevant: any "-------<id>" in the body could read as an end-line.
        if (body.find("-------" + id) == std::string_view::npos) return id;
    }
}

std::string make_message_id(const RandomSource &random) { return random_alphanumeric(kMessageIdLength, random); }

}  // namespace im::msrp

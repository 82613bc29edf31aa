#include "im/msrp/syntax.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace im::msrp::syntax {

bool is_ident(std::string_view text)
{
    if (text.size() < kMinIdentLength || text.size() > kMaxIdentLength) return false;
    if (!is_alphanum(text.front())) return false;
    return std::all_of(text.begin() + 1, text.end(), is_ident_char);
}

bool is_token(std::string_view text)
{
    return !text.empty() && std::all_of(text.begin(), text.end(), is_token_char);
}

bool is_utf8text(std::string_view text)
{
    std::size_t i = 0;
    while (i < text.size()) {
        // Header values are printable ASCII: eight bytes at a time are
        // checked to be none of 0x00-0x1f, 0x7f or 0x80-0xff (the classic
        // has-less/has-zero bit tricks); a word with any of them, a tab
        // included, goes through the byte loop below.
        if (text.size() - i >= 8) {
            constexpr std::uint64_t kOnes = 0x0101010101010101ull;
            constexpr std::uint64_t kHigh = 0x8080808080808080ull;
            std::uint64_t word;
            std::memcpy(&word, text.data() + i, sizeof(word));
            std::uint64_t del = word ^ (kOnes * 0x7f);
            bool plain = (word & kHigh) == 0 && ((word - kOnes * 0x20) & ~word & kHigh) == 0 &&
                         ((del - kOnes) & ~del & kHigh) == 0;
            if (plain) {
                i += 8;
                continue;
            }
        }
        auto c = static_cast<unsigned char>(text[i]);
        if (c == '\t' || (c >= 0x20 && c <= 0x7e)) {
            ++i;
            continue;
        }
        std::size_t continuation = 0;
        if (c >= 0xc0 && c <= 0xdf) continuation = 1;
        else if (c >= 0xe0 && c <= 0xef) continuation = 2;
        else if (c >= 0xf0 && c <= 0xf7) continuation = 3;
        else if (c >= 0xf8 && c <= 0xfb) continuation = 4;
        else if (c >= 0xfc && c <= 0xfd) continuation = 5;
        else return false;  // control byte, DEL, stray continuation byte, FE/FF
        if (text.size() - i - 1 < continuation) return false;
        for (std::size_t k = 1; k <= continuation; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if (next < 0x80 || next > 0xbf) return false;
        }
        i += continuation + 1;
    }
    return true;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text)
{
    if (text.empty()) return std::nullopt;
    std::uint64_t value = 0;
    for (char c : text) {
        if (!is_digit(c)) return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
    }
    return value;
}

bool iequals(std::string_view a, std::string_view b)
{
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

}  // namespace im::msrp::syntax

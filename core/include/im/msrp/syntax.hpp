#pragma once
// The character classes and small productions of the RFC 4975 section 9 ABNF
// that several parts of the codec share.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace im::msrp::syntax {

constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alphanum(char c) { return is_alpha(c) || is_digit(c); }
constexpr bool is_upalpha(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_hex_digit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// token = 1*(%x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E)
constexpr bool is_token_char(char ch)
{
    auto c = static_cast<unsigned char>(ch);
    return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d || c == 0x2e ||
           (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x5e && c <= 0x7e);
}

// RFC 3986 unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
constexpr bool is_unreserved(char c) { return is_alphanum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// RFC 3986 sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
constexpr bool is_sub_delim(char c)
{
    return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*' || c == '+' ||
           c == ',' || c == ';' || c == '=';
}

// ident = ALPHANUM 3*31ident-char; ident-char = ALPHANUM / "." / "-" / "+" / "%" / "="
// Transaction ids and Message-IDs: 4 to 32 characters.
inline constexpr std::size_t kMinIdentLength = 4;
inline constexpr std::size_t kMaxIdentLength = 32;
constexpr bool is_ident_char(char c) { return is_alphanum(c) || c == '.' || c == '-' || c == '+' || c == '%' || c == '='; }
bool is_ident(std::string_view text);

bool is_token(std::string_view text);

// utf8text = *(HTAB / %x20-7E / UTF8-NONASCII), UTF8-NONASCII exactly as the
// RFC 4975 ABNF spells it (lead byte C0-FD with its continuation bytes).
bool is_utf8text(std::string_view text);

// 1*DIGIT as an unsigned 64-bit number; nullopt on anything else or overflow.
std::optional<std::uint64_t> parse_decimal(std::string_view text);

// ASCII case-insensitive equality (header names, schemes, tokens).
bool iequals(std::string_view a, std::string_view b);

// Leading and trailing SP / HTAB removed.
std::string_view trim(std::string_view text);

}  // namespace im::msrp::syntax

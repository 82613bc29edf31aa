#pragma once
// Small text helpers for SIP header values.
#include <string>
#include <string_view>
#include <vector>

namespace im::sip {

// SIP's case-insensitive parts (scheme, host, header names, tokens) are
// ASCII: no locale, and inline, since URIs are compared per copy of a group
// MESSAGE.
constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool ascii_alnum(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
// Appends s lower-cased (ASCII) to out.
void append_lower(std::string &out, std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Splits on `sep` outside double-quoted strings and <...> brackets; trims parts.
std::vector<std::string_view> split_outside_quotes(std::string_view s, char sep);
// The space-separated words of s (runs of spaces count as one), e.g. the
// fields of an SDP m= line.
std::vector<std::string_view> words(std::string_view s);

}  // namespace im::sip

#pragma once
// Small text helpers for SIP header values.
#include <string>
#include <string_view>
#include <vector>

namespace im::sip {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
// Splits on `sep` outside double-quoted strings and <...> brackets; trims parts.
std::vector<std::string_view> split_outside_quotes(std::string_view s, char sep);

}  // namespace im::sip

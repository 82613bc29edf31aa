#include "im/sip/date.hpp"

#include <array>
#include <charconv>

#include "im/sip/text.hpp"

namespace im::sip {
namespace {

constexpr std::array<std::string_view, 7> kDays{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Fixed-width decimal field; false unless exactly `width` digits.
bool number(std::string_view text, std::size_t at, std::size_t width, int &out)
{
    if (at + width > text.size()) return false;
    const char *first = text.data() + at;
    auto [end, ec] = std::from_chars(first, first + width, out);
    return ec == std::errc() && end == first + width;
}

// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return static_cast<std::int64_t>(era) * 146097 + doe - 719468;
}

int days_in_month(int y, int m)
{
    static constexpr std::array<int, 12> kDaysIn{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDaysIn[static_cast<std::size_t>(m - 1)];
}

}  // namespace

std::optional<std::int64_t> parse_sip_date(std::string_view raw)
{
    // "Sat, 13 Nov 2010 23:29:00 GMT": 29 characters at fixed positions.
    const std::string_view t = trim(raw);
    if (t.size() != 29 || t.substr(3, 2) != ", " || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' || t[19] != ':' ||
        t[22] != ':' || t.substr(25) != " GMT")
        return std::nullopt;
    bool day_known = false;
    for (auto day : kDays) day_known |= t.substr(0, 3) == day;
    int month = 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i)
        if (t.substr(8, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
    int mday = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (!day_known || month == 0 || !number(t, 5, 2, mday) || !number(t, 12, 4, year) || !number(t, 17, 2, hour) ||
        !number(t, 20, 2, minute) || !number(t, 23, 2, second))
        return std::nullopt;
    if (mday < 1 || mday > days_in_month(year, month) || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return days_from_civil(year, month, mday) * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace im::sip

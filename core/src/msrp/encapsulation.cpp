#include "im/msrp/encapsulation.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

namespace im::msrp {
namespace {

// Whether the header block (CRLF-separated lines) has a header called name.
bool has_header(std::string_view headers, std::string_view name)
{
    std::size_t start = 0;
    while (start < headers.size()) {
        std::size_t end = headers.find("\r\n", start);
        std::string_view line = headers.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (line.size() > name.size() && line[name.size()] == ':') {
            bool same = true;
            for (std::size_t i = 0; i < name.size() && same; ++i)
                same = std::tolower(static_cast<unsigned char>(line[i])) == std::tolower(static_cast<unsigned char>(name[i]));
            if (same) return true;
        }
        if (end == std::string_view::npos) break;
        start = end + 2;
    }
    return false;
}

std::string with_crlf(std::string text)
{
    if (!text.empty() && !text.ends_with("\r\n")) text += "\r\n";
    return text;
}

}  // namespace

std::string http_date(std::int64_t unix_ms)
{
    std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    static constexpr const char *kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char *kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char text[40];
    std::snprintf(text, sizeof(text), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                  kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    return text;
}

std::string rebuild_send(const StoredMessage &message)
{
    std::string headers = with_crlf(message.headers);
    std::string text = "MSRP " + message.transaction_id + " SEND\r\n" + headers;
    if (!has_header(headers, "Date")) text += "Date: " + http_date(message.received_at_ms) + "\r\n";
    text += "Content-Type: " + message.content_type + "\r\n\r\n" + message.body + "\r\n-------" +
            message.transaction_id + "$\r\n";
    return text;
}

Body encapsulate_stored(const StoredMessage &message, const RandomSource &random)
{
    if (message.kind == "sip") {
        std::string headers = with_crlf(message.headers);
        // The time the IM server received it, unless the request had a Date already (kept unaltered).
        if (!has_header(headers, "Date")) {
            std::size_t first_line = headers.find("\r\n");
            headers.insert(first_line + 2, "Date: " + http_date(message.received_at_ms) + "\r\n");
        }
        return Body{"message/sip", headers + "\r\n" + message.body};
    }
    std::string part = rebuild_send(message);
    std::string boundary;
    do {
        boundary = "im-" + random_alphanumeric(24, random);
    } while (part.find(boundary) != std::string::npos);
    return Body{"multipart/mixed; boundary=\"" + boundary + "\"",
                "--" + boundary + "\r\nContent-Type: message/msrp\r\n\r\n" + part + "\r\n--" + boundary + "--\r\n"};
}

}  // namespace im::msrp

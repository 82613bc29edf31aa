#include "im/store/db_url.hpp"

#include <cctype>

#include "im/store/store_error.hpp"

namespace im::store {

namespace {

constexpr std::string_view kAccepted = "expected sqlite:///absolute/path.db, a file path or postgres://...";

[[noreturn]] void reject(std::string_view url, std::string_view why)
{
    throw StoreError("db_url '" + std::string(url) + "': " + std::string(why) + "; " + std::string(kAccepted));
}

// RFC 3986 scheme: a letter, then letters, digits, '+', '-' or '.'.
bool looks_like_scheme(std::string_view text)
{
    if (text.empty() || !std::isalpha(static_cast<unsigned char>(text.front()))) return false;
    for (char c : text)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return false;
    return true;
}

}  // namespace

DbUrl parse_db_url(std::string_view url)
{
    if (url.empty()) reject(url, "empty");

    const auto separator = url.find("://");
    if (separator == std::string_view::npos) {
        // "sqlite:/x" or "mysql:x" are URLs typed wrong, not file names.
        const auto colon = url.find(':');
        if (colon != std::string_view::npos && looks_like_scheme(url.substr(0, colon)))
            reject(url, "missing '//' after the scheme");
        return DbUrl{"sqlite", std::string(url)};
    }

    const std::string_view scheme = url.substr(0, separator);
    const std::string_view rest = url.substr(separator + 3);
    if (scheme == "sqlite") {
        if (rest.empty()) reject(url, "no database file path");
        return DbUrl{"sqlite", std::string(rest)};
    }
    if (scheme == "postgres" || scheme == "postgresql") {
        if (rest.empty()) reject(url, "no server or database");
        return DbUrl{"postgres", std::string(url)};
    }
    reject(url, "unsupported backend '" + std::string(scheme) + "'");
}

}  // namespace im::store

#include "msrp_relay/logger.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

namespace im::msrp_relay {
namespace {

// ISO 8601 UTC with milliseconds, e.g. "2025-01-31T09:15:02.123Z".
std::string timestamp_now()
{
    auto now = std::chrono::system_clock::now();
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    std::size_t length = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
    std::snprintf(text + length, sizeof(text) - length, ".%03dZ", static_cast<int>(millis));
    return text;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view name)
{
    if (name == "error") return LogLevel::Error;
    if (name == "warn" || name == "warning") return LogLevel::Warning;
    if (name == "info") return LogLevel::Info;
    if (name == "debug") return LogLevel::Debug;
    return std::nullopt;
}

std::string_view log_level_name(LogLevel level)
{
    switch (level) {
    case LogLevel::Error: return "ERROR";
    case LogLevel::Warning: return "WARN";
    case LogLevel::Info: return "INFO";
    case LogLevel::Debug: return "DEBUG";
    }
    return "?";
}

Logger::Logger(LogLevel threshold) : Logger(threshold, std::cerr) {}

Logger::Logger(LogLevel threshold, std::ostream &sink) : threshold_(threshold), sink_(sink) {}

void Logger::write(LogLevel level, std::string_view message)
{
    if (!enabled(level)) return;
    std::string line = timestamp_now();
    line.push_back(' ');
    line += log_level_name(level);
    line.append(6 - log_level_name(level).size(), ' ');
    line += message;
    line.push_back('\n');
    std::lock_guard lock(mutex_);
    sink_ << line << std::flush;
}

}  // namespace im::msrp_relay

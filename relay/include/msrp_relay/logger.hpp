#pragma once
// Human-readable log lines on stderr: "<UTC timestamp> <LEVEL> <message>",
// one line per event, safe to call from any thread.
#include <iosfwd>
#include <mutex>
#include <optional>
#include <string_view>

namespace im::msrp_relay {

enum class LogLevel { Error, Warning, Info, Debug };

// "error", "warn", "info", "debug" (also "warning").
std::optional<LogLevel> parse_log_level(std::string_view name);
std::string_view log_level_name(LogLevel level);

class Logger {
public:
    explicit Logger(LogLevel threshold);
    // Tests pass a string stream to keep their output quiet and inspectable.
    Logger(LogLevel threshold, std::ostream &sink);

    bool enabled(LogLevel level) const { return level <= threshold_; }

    void error(std::string_view message) { write(LogLevel::Error, message); }
    void warning(std::string_view message) { write(LogLevel::Warning, message); }
    void info(std::string_view message) { write(LogLevel::Info, message); }
    void debug(std::string_view message) { write(LogLevel::Debug, message); }

    void write(LogLevel level, std::string_view message);

private:
    const LogLevel threshold_;
    std::ostream &sink_;
    std::mutex mutex_;  // keeps lines from different threads whole
};

}  // namespace im::msrp_relay

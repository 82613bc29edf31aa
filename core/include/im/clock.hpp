#pragma once
// Time is injected so that expiry logic is testable without sleeping.
#include <chrono>
#include <cstdint>

namespace im {

class Clock {
public:
    virtual ~Clock() = default;
    // Seconds since the Unix epoch.
    virtual std::int64_t now() const = 0;
};

class SystemClock final : public Clock {
public:
    std::int64_t now() const override
    {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace im

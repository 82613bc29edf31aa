#pragma once
// Byte counters the STATUS command reports; touched only on the I/O thread.
#include <cstdint>

namespace im::msrp_relay {

struct TrafficCounters {
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
};

}  // namespace im::msrp_relay

#pragma once
// Transport counters the STATUS command reports; touched only on the I/O thread.
#include <cstdint>

namespace im::msrp_relay {

struct TrafficCounters {
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
    std::uint64_t malformed = 0;        // connections closed for a frame the parser refused
    std::uint64_t io_errors = 0;        // connections closed by a read or write error
    std::uint64_t tls_failures = 0;     // msrps connections whose TLS handshake failed
    std::uint64_t idle_connections = 0; // connections closed by the idle timeout
    std::uint64_t expired_sessions = 0; // sessions deleted by the session idle timeout
    std::uint64_t paused_reads = 0;     // times a sender was paused by back-pressure
    std::uint64_t outbound_opened = 0;  // connections this relay opened to next hops
    std::uint64_t outbound_failed = 0;  // ... that could not be connected (or failed their TLS handshake)
};

}  // namespace im::msrp_relay

#pragma once
// Between the sockets and the session logic: hands each received frame to
// the MsrpSwitch, writes what it returns on the right connections, and
// applies back-pressure. Owns the set of open MSRP connections.
#include <cstddef>
#include <functional>
#include <vector>

#include "connection_set.hpp"
#include "im/msrp/message.hpp"
#include "msrp_connection.hpp"
#include "msrp_relay/logger.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "traffic_counters.hpp"

namespace im::msrp_relay {

class MsrpDispatcher {
public:
    MsrpDispatcher(MsrpSwitch &msrp_switch, ConnectionOptions options, TrafficCounters &traffic, Logger &log);

    // Takes over an accepted connection.
    void adopt(MsrpStream stream);
    void close_all() { connections_.close_all(); }
    std::size_t open_connections() const { return connections_.size(); }
    bool carries_sessions(const MsrpConnection &connection) const { return switch_.carries_sessions(connection.id()); }

    // Writes what the switch produced outside of a received frame (timeouts).
    void deliver(std::vector<Outgoing> outgoing);

    // Called by MsrpConnection.
    void on_frames(MsrpConnection &from, std::vector<im::msrp::Frame> &frames);
    void on_closed(MsrpConnection &connection);

private:
    MsrpSwitch &switch_;
    ConnectionOptions options_;
    TrafficCounters &traffic_;
    Logger &log_;
    ConnectionSet<MsrpConnection> connections_;
    // Scratch of on_frames, reused: what one frame causes, and the
    // connections one read wrote to.
    std::vector<Outgoing> outgoing_;
    std::vector<std::shared_ptr<MsrpConnection>> touched_;
};

}  // namespace im::msrp_relay

#pragma once
// Between the sockets and the session logic: hands each received frame to
// the MsrpSwitch, writes what it returns on the right connections, and
// applies back-pressure. Owns the set of open MSRP connections, accepted and
// outbound (the next hops of AUTHed clients' requests, RFC 4976 7).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <asio/any_io_executor.hpp>
#include <asio/ssl/context.hpp>

#include "connection_set.hpp"
#include "im/msrp/message.hpp"
#include "msrp_connection.hpp"
#include "msrp_relay/logger.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "traffic_counters.hpp"

namespace im::msrp_relay {

class MsrpDispatcher {
public:
    // tls_client: the context of outbound msrps connections (nullptr: msrps
    // next hops are unreachable).
    MsrpDispatcher(MsrpSwitch &msrp_switch, ConnectionOptions options, TrafficCounters &traffic, Logger &log,
                   asio::any_io_executor executor, asio::ssl::context *tls_client = nullptr);

    // Takes over an accepted connection.
    void adopt(MsrpStream stream);
    void close_all() { connections_.close_all(); }
    std::size_t open_connections() const { return connections_.size(); }
    std::size_t outbound_connections() const { return outbound_.size(); }

    // The switch's OutboundOpener. Reuse (RFC 4976 6.4 / RFC 4975 6.1): one
    // connection per next-hop authority (scheme, host, port), opened by
    // this relay and shared by every session and client going there;
    // connections peers opened to us are never used to reach a URI.
    ConnectionId open_outbound(const im::msrp::Uri &next_hop);
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
    asio::any_io_executor executor_;
    asio::ssl::context *tls_client_;
    // (msrps?, lower-case host without brackets, port) -> the open connection.
    using Authority = std::tuple<bool, std::string, std::uint16_t>;
    std::map<Authority, ConnectionId> outbound_;
    // Scratch of on_frames, reused: what one frame causes, and the
    // connections one read wrote to.
    std::vector<Outgoing> outgoing_;
    std::vector<std::shared_ptr<MsrpConnection>> touched_;
};

}  // namespace im::msrp_relay

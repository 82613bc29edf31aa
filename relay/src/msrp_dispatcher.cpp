#include "msrp_dispatcher.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace im::msrp_relay {

MsrpDispatcher::MsrpDispatcher(MsrpSwitch &msrp_switch, ConnectionOptions options, TrafficCounters &traffic,
                               Logger &log)
    : switch_(msrp_switch), options_(options), traffic_(traffic), log_(log)
{
}

void MsrpDispatcher::adopt(MsrpStream stream)
{
    auto connection = std::make_shared<MsrpConnection>(std::move(stream), *this, options_, traffic_, log_);
    connection->start(connections_.add(connection));
}

void MsrpDispatcher::on_frames(MsrpConnection &from, std::vector<im::msrp::Frame> &frames)
{
    auto sender = from.shared_from_this();
    auto now = SteadyClock::now();
    // Connections written to by this batch: flushed once at its end.
    std::vector<std::shared_ptr<MsrpConnection>> touched;
    for (auto &frame : frames) {
        for (Outgoing &outgoing : switch_.on_frame(from.id(), std::move(frame), now)) {
            auto receiver = connections_.find(outgoing.connection);
            if (!receiver) continue;  // closed meanwhile: its sessions are unbound
            receiver->send(std::move(outgoing.bytes), std::move(outgoing.body), std::move(outgoing.tail));
            if (receiver->over_limit()) receiver->hold_until_drained(sender);
            if (std::ranges::find(touched, receiver) == touched.end()) touched.push_back(std::move(receiver));
        }
    }
    for (const auto &receiver : touched) receiver->flush();
}

void MsrpDispatcher::deliver(std::vector<Outgoing> outgoing)
{
    for (Outgoing &out : outgoing) {
        if (auto receiver = connections_.find(out.connection)) {
            receiver->send(std::move(out.bytes), std::move(out.body), std::move(out.tail));
            receiver->flush();
        }
    }
}

void MsrpDispatcher::on_closed(MsrpConnection &connection)
{
    connections_.remove(connection.id());
    switch_.on_connection_closed(connection.id());
}

}  // namespace im::msrp_relay

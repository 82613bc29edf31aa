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
    // Connections written to by this batch: flushed once at its end. Both
    // vectors are members that keep their capacity between reads: a read of
    // 1 KB messages carries dozens of frames, and a fresh vector per frame
    // and per read showed in the allocator's share of the profile. Nothing
    // here re-enters on_frames (writes and closes complete later).
    auto &touched = touched_;
    touched.clear();
    for (auto &frame : frames) {
        outgoing_.clear();
        switch_.on_frame(from.id(), std::move(frame), now, outgoing_);
        for (Outgoing &outgoing : outgoing_) {
            auto receiver = connections_.find(outgoing.connection);
            if (!receiver) continue;  // closed meanwhile: its sessions are unbound
            receiver->send(std::move(outgoing.bytes), std::move(outgoing.body), std::move(outgoing.tail));
            if (receiver->over_limit()) receiver->hold_until_drained(sender);
            if (std::ranges::find(touched, receiver) == touched.end()) touched.push_back(std::move(receiver));
        }
    }
    outgoing_.clear();
    for (const auto &receiver : touched) receiver->flush();
    touched.clear();  // holds no connection alive between reads
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

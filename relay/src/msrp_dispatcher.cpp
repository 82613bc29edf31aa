#include "msrp_dispatcher.hpp"

#include "im/msrp/replies.hpp"
#include "im/sip/text.hpp"

#include <algorithm>
#include <memory>
#include <utility>

namespace im::msrp_relay {

MsrpDispatcher::MsrpDispatcher(MsrpSwitch &msrp_switch, ConnectionOptions options, TrafficCounters &traffic,
                               Logger &log, asio::any_io_executor executor, asio::ssl::context *tls_client)
    : switch_(msrp_switch), options_(options), traffic_(traffic), log_(log), executor_(std::move(executor)),
      tls_client_(tls_client)
{
    switch_.set_outbound([this](const im::msrp::Uri &next_hop) { return open_outbound(next_hop); });
}

void MsrpDispatcher::adopt(MsrpStream stream)
{
    bool secure = stream.secure();
    auto connection = std::make_shared<MsrpConnection>(std::move(stream), *this, options_, traffic_, log_);
    std::uint64_t id = connections_.add(connection);
    if (secure) switch_.set_secure(id);
    connection->start(id);
}

ConnectionId MsrpDispatcher::open_outbound(const im::msrp::Uri &next_hop)
{
    std::string_view bracketed = next_hop.host;
    if (bracketed.size() > 2 && bracketed.front() == '[') bracketed = bracketed.substr(1, bracketed.size() - 2);
    std::string host = im::sip::to_lower(bracketed);
    Authority authority{next_hop.secure, host, next_hop.port.value_or(2855)};
    if (auto known = outbound_.find(authority); known != outbound_.end()) {
        if (connections_.find(known->second)) return known->second;
        outbound_.erase(known);
    }
    if (next_hop.secure && tls_client_ == nullptr) return 0;
    asio::ip::tcp::socket socket(executor_);
    MsrpStream stream = next_hop.secure ? MsrpStream(std::move(socket), *tls_client_, asio::ssl::stream_base::client)
                                        : MsrpStream(std::move(socket));
    auto connection = std::make_shared<MsrpConnection>(std::move(stream), *this, options_, traffic_, log_);
    std::uint64_t id = connections_.add(connection);
    outbound_[authority] = id;
    ++traffic_.outbound_opened;
    if (next_hop.secure) switch_.set_secure(id);
    connection->connect(id, host, std::get<2>(authority));
    return id;
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
    if (connection.outbound()) {
        std::erase_if(outbound_, [&connection](const auto &entry) { return entry.second == connection.id(); });
        if (connection.connect_failed()) {
            // RFC 4975 7.1.1 / RFC 4976 7.3: the SENDs for that hop were
            // answered 200 here; their senders learn of the failure by REPORT.
            ++traffic_.outbound_failed;
            deliver(switch_.fail_pending(connection.id(), im::msrp::kStatusTimeout, "Next hop unreachable"));
        }
    }
    switch_.on_connection_closed(connection.id());
}

}  // namespace im::msrp_relay

#pragma once
// The connections one acceptor has open, so shutdown can close them all.
// Holds weak references: a connection lives as long as its pending I/O.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>

namespace im::msrp_relay {

template <typename Connection>
class ConnectionSet {
public:
    std::uint64_t add(const std::shared_ptr<Connection> &connection)
    {
        std::uint64_t id = next_id_++;
        live_.emplace(id, connection);
        return id;
    }

    void remove(std::uint64_t id) { live_.erase(id); }

    std::size_t size() const { return live_.size(); }

    std::shared_ptr<Connection> find(std::uint64_t id) const
    {
        auto it = live_.find(id);
        return it == live_.end() ? nullptr : it->second.lock();
    }

    // Connection::close() calls remove(); iterating a detached copy keeps that safe.
    void close_all()
    {
        auto closing = std::move(live_);
        live_.clear();
        for (auto &[id, weak] : closing) {
            if (auto connection = weak.lock()) connection->close();
        }
    }

private:
    std::map<std::uint64_t, std::weak_ptr<Connection>> live_;
    std::uint64_t next_id_ = 1;
};

}  // namespace im::msrp_relay

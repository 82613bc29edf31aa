#pragma once
// The SESSION_* commands of the control protocol
// (docs/relay-control-protocol.md): create, inspect and delete sessions and
// conference participants. Decoded requests in, replies out; no I/O.
#include <functional>
#include <optional>

#include "im/relay/control_protocol.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "msrp_relay/session_registry.hpp"

namespace im::msrp_relay {

// SESSION_LIST returns at most this many ids per reply; "next" pages on.
inline constexpr std::size_t kSessionListPage = 200;

// SESSION_SEND_STORED sends at most this many stored messages per command.
inline constexpr std::size_t kMaxSendStored = 100;

class SessionCommands {
public:
    SessionCommands(SessionRegistry &sessions, const RelayAddress &address, std::function<SteadyClock::time_point()> now);

    // For the endpoint and recorder commands: the switch (its store, and
    // sending stored messages) and where to write what it produces.
    void attach(MsrpSwitch &msrp_switch, std::function<void(std::vector<Outgoing>)> deliver);

    // The reply, or nullopt when the command is not a SESSION_* command.
    std::optional<im::relay::ControlReply> answer(const im::relay::ControlRequest &request);

private:
    im::relay::ControlReply create(const im::relay::ControlRequest &request);
    im::relay::ControlReply add_participant(const im::relay::ControlRequest &request);
    im::relay::ControlReply remove_participant(const im::relay::ControlRequest &request);
    im::relay::ControlReply remove(const im::relay::ControlRequest &request);
    im::relay::ControlReply list(const im::relay::ControlRequest &request);
    im::relay::ControlReply show(const im::relay::ControlRequest &request);
    im::relay::ControlReply create_endpoint(const im::relay::ControlRequest &request);
    im::relay::ControlReply add_recorder(const im::relay::ControlRequest &request);
    im::relay::ControlReply send_stored(const im::relay::ControlRequest &request);
    im::relay::ControlReply list_stored(const im::relay::ControlRequest &request);
    bool has_store() const { return switch_ != nullptr && switch_->store() != nullptr; }

    SessionRegistry &sessions_;
    // Owned by the caller: the port is known only once the listener is bound.
    const RelayAddress &address_;
    std::function<SteadyClock::time_point()> now_;
    MsrpSwitch *switch_ = nullptr;
    std::function<void(std::vector<Outgoing>)> deliver_;
};

}  // namespace im::msrp_relay

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

class SessionCommands {
public:
    SessionCommands(SessionRegistry &sessions, const RelayAddress &address, std::function<SteadyClock::time_point()> now);

    // The reply, or nullopt when the command is not a SESSION_* command.
    std::optional<im::relay::ControlReply> answer(const im::relay::ControlRequest &request);

private:
    im::relay::ControlReply create(const im::relay::ControlRequest &request);
    im::relay::ControlReply add_participant(const im::relay::ControlRequest &request);
    im::relay::ControlReply remove_participant(const im::relay::ControlRequest &request);
    im::relay::ControlReply remove(const im::relay::ControlRequest &request);
    im::relay::ControlReply list(const im::relay::ControlRequest &request);
    im::relay::ControlReply show(const im::relay::ControlRequest &request);

    SessionRegistry &sessions_;
    // Owned by the caller: the port is known only once the listener is bound.
    const RelayAddress &address_;
    std::function<SteadyClock::time_point()> now_;
};

}  // namespace im::msrp_relay

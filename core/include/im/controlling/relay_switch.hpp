#pragma once
// The conference focus's MSRP switch: the relay's conference sessions over
// its control socket (docs/relay-control-protocol.md).
#include <chrono>
#include <string>
#include <vector>

#include "im/controlling/conference_focus.hpp"
#include "im/relay/control_client.hpp"

namespace im::controlling {

class RelaySwitch final : public ConferenceSwitch {
public:
    RelaySwitch(std::string socket_path, std::chrono::milliseconds timeout) : client_(std::move(socket_path), timeout) {}

    std::string create() override;
    Joined add(const std::string &session, const std::string &identity, const std::string &accept_types,
               bool anonymous) override;
    void remove(const std::string &session, const std::string &participant) override;
    void end(const std::string &session) override;
    std::vector<std::string> sessions() override;

private:
    // The OK reply to `request`; SwitchError for a failed call or an ERR.
    relay::ControlReply call(const relay::ControlRequest &request) const;

    relay::ControlClient client_;
};

}  // namespace im::controlling

#pragma once
// The History Function's recorders: the relay's SESSION_ADD_RECORDER over its
// control socket (docs/relay-control-protocol.md).
#include <chrono>
#include <string>

#include "im/history/session_recording.hpp"
#include "im/relay/control_client.hpp"

namespace im::history {

class RelayRecorder final : public SessionRecorder {
public:
    RelayRecorder(std::string socket_path, std::chrono::milliseconds timeout) : client_(std::move(socket_path), timeout) {}

    std::string add(const std::string &conference, const std::string &owner) override;
    void remove(const std::string &conference, const std::string &recorder) override;

private:
    // The OK reply to `request`; RecorderError for a failed call or an ERR.
    relay::ControlReply call(const relay::ControlRequest &request) const;

    relay::ControlClient client_;
};

}  // namespace im::history

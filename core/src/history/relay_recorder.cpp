#include "im/history/relay_recorder.hpp"

namespace im::history {

relay::ControlReply RelayRecorder::call(const relay::ControlRequest &request) const
{
    return relay::require_ok<RecorderError>(client_, request);
}

std::string RelayRecorder::add(const std::string &conference, const std::string &owner)
{
    const relay::ControlReply reply = call({"SESSION_ADD_RECORDER", {conference, owner}});
    const std::string *recorder = reply.find("recorder");
    if (!recorder || recorder->empty()) throw RecorderError("MSRP relay: SESSION_ADD_RECORDER answered without a recorder");
    return *recorder;
}

void RelayRecorder::remove(const std::string &conference, const std::string &recorder)
{
    call(relay::remove_participant_request(conference, recorder));
}

}  // namespace im::history

#include "im/controlling/relay_switch.hpp"

namespace im::controlling {

relay::ControlReply RelaySwitch::call(const relay::ControlRequest &request) const
{
    return relay::require_ok<SwitchError>(client_, request);
}

std::string RelaySwitch::create()
{
    auto created = relay::read_created_session(call(relay::session_create_request("conference")));
    if (!created) throw SwitchError("MSRP relay: " + created.error().text);
    return created.value().session;
}

ConferenceSwitch::Joined RelaySwitch::add(const std::string &session, const std::string &identity,
                                          const std::string &accept_types, bool anonymous)
{
    auto added =
        relay::read_added_participant(call(relay::add_participant_request(session, identity, accept_types, anonymous)));
    if (!added) throw SwitchError("MSRP relay: " + added.error().text);
    return {added.value().participant, added.value().path, added.value().path_tls};
}

void RelaySwitch::remove(const std::string &session, const std::string &participant)
{
    call(relay::remove_participant_request(session, participant));
}

void RelaySwitch::end(const std::string &session) { call(relay::session_delete_request(session)); }

std::vector<std::string> RelaySwitch::sessions()
{
    auto listed = client_.sessions();
    if (!listed) throw SwitchError("MSRP relay: " + listed.error().text);
    return std::move(listed.value());
}

}  // namespace im::controlling

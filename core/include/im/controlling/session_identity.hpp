#pragma once
// The session identities of the conference focus (7.2.1.1): sip:<prefix><session
// id>@<this server>, the focus's Contact. Participants rejoin and send MESSAGEs
// to them; the History Function reads them from a REFER's Refer-To (11.1.1).
#include <optional>
#include <string>
#include <string_view>

#include "im/sip/uri.hpp"

namespace im::controlling {

inline constexpr std::string_view kSessionPrefix = "im-session-";

// The session id `uri` names: its user part after `prefix`, when it starts
// with the prefix and has more.
inline std::optional<std::string> session_id_of(const sip::Uri &uri, std::string_view prefix)
{
    if (uri.user.size() <= prefix.size() || !uri.user.starts_with(prefix)) return std::nullopt;
    return uri.user.substr(prefix.size());
}

// The identity as it is addressed, without URI parameters: "sip:user@host[:port]".
inline std::string session_identity_of(const sip::Uri &uri)
{
    return uri.aor() + (uri.port ? ":" + std::to_string(uri.port) : "");
}

}  // namespace im::controlling

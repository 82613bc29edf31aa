#include "msrp_relay/relay_address.hpp"

namespace im::msrp_relay {

im::msrp::Uri RelayAddress::uri_for(std::string_view participant_id, bool secure) const
{
    im::msrp::Uri uri;
    bool v6 = host.find(':') != std::string::npos && host.front() != '[';
    uri.secure = secure;
    uri.host = v6 ? "[" + host + "]" : host;
    uri.port = secure && tls_port ? *tls_port : port;
    uri.session_id = std::string(participant_id);
    uri.transport = "tcp";
    return uri;
}

std::string RelayAddress::path_for(std::string_view participant_id, bool secure) const
{
    return im::msrp::to_string(uri_for(participant_id, secure));
}

bool RelayAddress::is_ours(const im::msrp::Uri &uri) const
{
    if (uri.secure && !tls_port) return false;
    return im::msrp::equivalent(uri, uri_for(uri.session_id, uri.secure));
}

}  // namespace im::msrp_relay

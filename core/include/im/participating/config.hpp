#pragma once
// Settings of the Participating IM Function that come from module parameters.
#include <string>
#include <vector>

#include "im/identity.hpp"

namespace im::participating {

struct Config {
    IdentityPolicy identity;
    std::string server_uri = "sip:127.0.0.1:5070";  // this IM Server, for Contact
    // Request-URIs handled by the Controlling IM Function (6.2.4.1 step 4):
    // the conference factory and the other special URIs of this server, as AORs.
    std::vector<std::string> controlling_uris;
};

}  // namespace im::participating

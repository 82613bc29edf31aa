#pragma once
// Spec 6.2.2 and 6.2.4.1: requests from a served IM user.
#include "im/action.hpp"
#include "im/participating/config.hpp"
#include "im/sip/request.hpp"

namespace im::participating {

class OriginatingProcedure {
public:
    explicit OriginatingProcedure(const Config &config) : config_(config) {}
    Action handle(const sip::Request &request) const;

private:
    const Config &config_;
};

}  // namespace im::participating

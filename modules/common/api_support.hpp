#pragma once
// Helpers of the modules' extern "C" doors (C++ side only).
#include <exception>
#include <string>
#include <type_traits>

#include "im/bridge.hpp"
#include "im/identity.hpp"
#include "im/sip/uri.hpp"

namespace im::module {

inline std::string text(const char *s) { return s ? std::string(s) : std::string(); }

// The AOR of an administrative argument; throws std::invalid_argument.
inline std::string required_aor(const char *value)
{
    auto aor = sip::aor_of(text(value));
    if (!aor) throw std::invalid_argument("not a SIP or tel URI: " + text(value));
    return *aor;
}

// "1"/"yes"/"true" or "0"/"no"/"false"; throws std::invalid_argument naming what.
inline bool parse_flag(const char *value, const char *what)
{
    const std::string v = text(value);
    if (v == "1" || v == "yes" || v == "true") return true;
    if (v == "0" || v == "no" || v == "false") return false;
    throw std::invalid_argument(std::string(what) + " must be 0 or 1, got " + v);
}

// The 5.2 identity policy from the module parameters trusted_core and
// identity_from_header; throws std::invalid_argument for a malformed list.
inline IdentityPolicy identity_policy(const char *trusted_core, int identity_from_header)
{
    std::string error;
    auto peers = net::TrustedPeers::parse(text(trusted_core), &error);
    if (!peers) throw std::invalid_argument("trusted_core: " + error);
    return IdentityPolicy{std::move(*peers), identity_from_header != 0};
}

// Runs f for an extern "C" door: what f returns, or `failure` with the
// exception's text in err. Nothing escapes into Kamailio.
template <typename F>
std::invoke_result_t<F &> guarded(char *err, size_t err_size, std::invoke_result_t<F &> failure, F &&f)
{
    try {
        return f();
    } catch (const std::exception &e) {
        bridge::copy_text(e.what(), err, err_size);
    } catch (...) {
        bridge::copy_text("unknown error", err, err_size);
    }
    return failure;
}

// Runs an administrative command that returns text: 0 and the text in out,
// or -1 and the error in out.
template <typename F>
int admin(char *out, size_t out_size, F &&command)
{
    return guarded(out, out_size, -1, [&] {
        bridge::copy_text(command(), out, out_size);
        return 0;
    });
}

}  // namespace im::module

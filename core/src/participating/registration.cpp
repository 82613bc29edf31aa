#include "im/participating/registration.hpp"

#include <charconv>

#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"

namespace im::participating {
namespace {

// Expires header, else the contact's expires parameter; nullopt when malformed.
std::optional<std::int64_t> requested_expires(const sip::Request &request, std::int64_t fallback)
{
    std::string_view text;
    if (request.expires) {
        text = sip::trim(*request.expires);
    } else {
        for (std::string_view param : sip::split_outside_quotes(request.contact, ';')) {
            if (sip::iequals(sip::trim(param.substr(0, param.find('='))), "expires") &&
                param.find('=') != std::string_view::npos) {
                text = sip::trim(param.substr(param.find('=') + 1));
            }
        }
        if (text.empty()) return fallback;
    }
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
    return value;
}

}  // namespace

RegistrationProcedure::RegistrationProcedure(store::RegistrationStore &store, const Clock &clock,
                                             const IdentityPolicy &identity, RegistrationLimits limits)
    : store_(store), clock_(clock), identity_(identity), limits_(limits)
{
}

RegistrationOutcome RegistrationProcedure::handle(const sip::Request &request)
{
    // Only the SIP/IP core tells us who is registered.
    if (!identity_.trusted_core.contains(request.source.ip, request.source.port))
        return {Action::reply(Verdict::reject(Rejection::identity, 403, "Forbidden", "399 IM-serv \"REGISTER accepted from the SIP/IP core only\"")),
                RegistrationOutcome::Change::None, {}};

    auto aor = sip::aor_of(request.to_uri);
    if (!aor) return {Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - To is no SIP URI")), {}, {}};

    auto expires = requested_expires(request, limits_.default_expires);
    if (!expires) return {Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - malformed Expires")), {}, {*aor}};
    const std::int64_t granted = std::min(*expires, limits_.max_expires);
    const std::int64_t now = clock_.now();

    RegistrationOutcome outcome{Action::reply(Verdict::reply(200, "OK")), RegistrationOutcome::Change::None, *aor};
    if (granted == 0) {
        // Offline, but still a subscriber this server knows (deferral, not 404).
        if (auto active = store_.find_active(*aor, now)) {
            store_.upsert({*aor, active->contact, now, now});
            outcome.change = RegistrationOutcome::Change::Deregistered;
        }
    } else {
        const bool known = store_.find_active(*aor, now).has_value();
        store_.upsert({*aor, std::string(sip::trim(request.contact)), now + granted, now});
        outcome.change = known ? RegistrationOutcome::Change::Refreshed : RegistrationOutcome::Change::Registered;
    }
    // 6.2.1: the 200 carries the Expires value of the request.
    outcome.action.reply_headers.push_back({"Expires", std::to_string(granted)});
    return outcome;
}

}  // namespace im::participating

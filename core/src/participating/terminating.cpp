#include "im/participating/terminating.hpp"

#include "im/participating/policy_checks.hpp"
#include "im/participating/session_media.hpp"
#include "im/participating/settings_defaults.hpp"
#include "im/participating/steps.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/version.hpp"

namespace im::participating {

Action TerminatingProcedure::handle(const sip::Request &request) const
{
    // 6.2.8.4: the request must carry the IM feature tag.
    if (Verdict v = require_im_feature_tag(request); !v.proceed()) return Action::reply(std::move(v));

    // 5.2: the core asserted who sends it.
    OriginatorResult who = authenticate_originator(request, config_.identity);
    if (!who.verdict.proceed()) return Action::reply(std::move(who.verdict));
    return check_delivery(request, *who.originator);
}

Action TerminatingProcedure::check_delivery(const sip::Request &request, const Originator &originator) const
{
    const auto served = sip::aor_of(request.request_uri);
    if (!served) return Action::reply(Verdict::reject(Rejection::malformed, 404, "Not Found", "399 IM-serv \"Request-URI is no IM address\""));
    return check_delivery(request, originator, *served);
}

Action TerminatingProcedure::check_delivery(const sip::Request &request, const Originator &originator,
                                            const std::string &served) const
{
    const DeliveryChecks checks = prepare_delivery(request);
    Admission admission = admit(request, checks, originator, served);
    if (!admission.verdict.proceed()) return Action::reply(std::move(admission.verdict));
    Action action;
    action.record_history = admission.record_history;
    action.request_uri = served;
    action.request_headers = checks.headers;
    return action;
}

DeliveryChecks TerminatingProcedure::prepare_delivery(const sip::Request &request) const
{
    DeliveryChecks checks;
    checks.now = clock_.now();
    checks.kind = access_kind_of(request);
    const bool invite = sip::iequals(request.method, "INVITE");
    if (invite) {
        // 6.2.7: the offer's media, against each receiving user's policy; a
        // Large Message session is pager mode for barring and access lists.
        OfferResult offer = read_session_offer(request);
        if (!offer.verdict.proceed()) {
            checks.refusal = std::move(offer.verdict);
            return checks;
        }
        checks.offer = std::move(offer.offer);
        checks.kind = access_kind_of(*checks.offer);
    }
    // Steps 3-4 for pager mode (a Large Message session's size and type
    // are checked in its offer).
    checks.pager_message = checks.kind == store::AccessKind::pager && !invite;
    if (checks.pager_message) checks.expires = require_valid_expires(request, checks.now);

    // 6.2.8.4 steps 2-4: Request-URI the user, Server, Contact with the feature tag.
    checks.headers.push_back({"Server", kServerProduct});
    if (sip::iequals(request.method, "MESSAGE") && sip::trim(request.contact).empty())
        checks.headers.push_back({"Contact", "<" + config_.server_uri + ">;" + kImFeatureTag});
    return checks;
}

namespace {

// What admit() reads about the served user, from the stores: one read each.
class StoreReads {
public:
    StoreReads(const TerminatingStores &stores, const std::string &served) : stores_(stores), served_(served) {}
    store::EffectivePolicy policy() const { return stores_.policies.effective(served_); }
    std::optional<store::ServiceSettings> settings(std::int64_t now) const
    {
        return stores_.settings.active_settings(served_, now);
    }
    std::optional<store::AccessAction> access(const std::string &peer, store::AccessKind kind) const
    {
        return stores_.access_rules.decide(served_, peer, kind);
    }
    bool willing() const { return stores_.willingness.willing(served_); }

private:
    const TerminatingStores &stores_;
    const std::string &served_;
};

// The same from the rows a batch read for the user.
class RowReads {
public:
    explicit RowReads(const store::UserRows &rows) : rows_(rows) {}
    const store::EffectivePolicy &policy() const { return rows_.policy; }
    std::optional<store::ServiceSettings> settings(std::int64_t now) const
    {
        return store::active_settings_of(rows_.settings, now);
    }
    std::optional<store::AccessAction> access(const std::string &peer, store::AccessKind kind) const
    {
        return store::decide_among(rows_.access_rules, peer, kind);
    }
    bool willing() const { return rows_.willing; }

private:
    const store::UserRows &rows_;
};

// 6.2.6.1 for one recipient, each step reading the user's state from `user`.
template <typename UserReads>
Admission admit_user(const sip::Request &request, const DeliveryChecks &checks, const Originator &originator,
                     const std::string &served, const UserReads &user, store::RegistrationStore &registrations)
{
    if (!checks.refusal.proceed()) return {checks.refusal};
    if (checks.offer) {
        if (Verdict v = require_media_policy(*checks.offer, user.policy()); !v.proceed()) return {std::move(v)};
    }
    const EffectiveSettings settings = effective(user.settings(checks.now));

    // 6.2.6.1 step 1: incoming barring set by the user.
    if (Verdict v = require_not_barred(checks.kind, settings); !v.proceed()) return {std::move(v)};
    // 6.2.6.1 step 2: the user's access list.
    if (Verdict v = require_access_allowed(user.access(originator.aor, checks.kind)); !v.proceed())
        return {std::move(v)};
    if (checks.pager_message) {
        // 6.2.6.1 step 3: operator policy for the receiving user.
        if (Verdict v = require_policy_conformance(request, user.policy()); !v.proceed()) return {std::move(v)};
        // 6.2.6.1 step 4: Expires.
        if (!checks.expires.proceed()) return {checks.expires};
    }

    // 6.2.6.1 steps 5-6: an unregistered or invisible user cannot take it now;
    // the message would become a deferred message (im_deferred).
    if (!registrations.is_active(served, checks.now)) {
        // An address no IM user ever registered (nor a group, which the
        // Controlling Function would have taken) does not exist here.
        if (!registrations.known(served))
            return {Verdict::reject(Rejection::not_found, 404, "Not Found", "399 IM-serv \"No such IM user or group\"")};
        return {Verdict::reject(Rejection::not_registered, 480, "Temporarily Unavailable", "399 IM-serv \"IM user not registered\"")};
    }
    // 6.2.6.1 step 6: the "Willingness for IM" the user published (appendix I).
    if (!user.willing())
        return {Verdict::reject(Rejection::unwilling, 480, "Temporarily Unavailable", "399 IM-serv \"IM user is not willing to receive IMs\"")};
    if (!settings.visible)
        return {Verdict::reject(Rejection::invisible, 480, "Temporarily Unavailable", "399 IM-serv \"IM user is invisible\"")};
    return {Verdict::next(), settings.hist};
}

}  // namespace

Admission TerminatingProcedure::admit(const sip::Request &request, const DeliveryChecks &checks,
                                      const Originator &originator, const std::string &served) const
{
    return admit_user(request, checks, originator, served, StoreReads(stores_, served), stores_.registrations);
}

Admission TerminatingProcedure::admit(const sip::Request &request, const DeliveryChecks &checks,
                                      const Originator &originator, const std::string &served,
                                      const store::UserRows &rows) const
{
    return admit_user(request, checks, originator, served, RowReads(rows), stores_.registrations);
}

}  // namespace im::participating

#include "msrp_relay/relay_auth.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "im/msrp/replies.hpp"
#include "im/sip/text.hpp"
#include "msrp_relay/digest.hpp"

namespace im::msrp_relay {
namespace {

using im::msrp::Request;
using im::msrp::Response;

// Nonces: 128 bits; grant ids (Use-Path session ids, capabilities like
// participant ids): 24 characters, 142 bits.
constexpr std::size_t kNonceLength = 22;
constexpr std::size_t kGrantIdLength = 24;

bool is_hex32(std::string_view text)
{
    return text.size() == 32 && std::ranges::all_of(text, [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
           });
}

Response with_header(Response response, std::string name, std::string value)
{
    response.fields.add(name, value);
    return response;
}

}  // namespace

im::relay::Outcome<AuthUsers, std::string> AuthUsers::parse(std::string_view text, std::string_view realm,
                                                             std::string_view file_name)
{
    using Result = im::relay::Outcome<AuthUsers, std::string>;
    AuthUsers users;
    std::size_t line_number = 0;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        std::size_t colon = line.find(':');
        if (colon == 0 || colon == std::string_view::npos || colon + 1 == line.size())
            return Result::failure(std::string(file_name) + ":" + std::to_string(line_number) +
                                   ": expected 'user:password' or 'user:realm:HA1'");
        std::string_view user = line.substr(0, colon);
        std::string_view rest = line.substr(colon + 1);
        std::size_t second = rest.find(':');
        if (second != std::string_view::npos && is_hex32(rest.substr(second + 1))) {
            if (rest.substr(0, second) == realm) users.add_ha1(std::string(user), im::sip::to_lower(rest.substr(second + 1)));
            continue;
        }
        users.add_password(user, realm, rest);
    }
    return Result::success(std::move(users));
}

void AuthUsers::add_password(std::string_view user, std::string_view realm, std::string_view password)
{
    add_ha1(std::string(user), digest_ha1(user, realm, password));
}

void AuthUsers::add_ha1(std::string user, std::string ha1) { ha1_[std::move(user)] = std::move(ha1); }

const std::string *AuthUsers::ha1(std::string_view user) const
{
    auto found = ha1_.find(user);
    return found == ha1_.end() ? nullptr : &found->second;
}

RelayAuth::RelayAuth(AuthSettings settings, AuthUsers users, im::msrp::RandomSource random)
    : settings_(std::move(settings)), users_(std::move(users)), random_(std::move(random))
{
}

RelayAuth::Answer RelayAuth::answer(ConnectionId connection, bool secure, const Request &auth,
                                    const RelayAddress &address, SteadyClock::time_point now)
{
    if (!offered()) {
        ++counters_.forbidden;
        return {im::msrp::make_response(auth, im::msrp::kStatusForbidden, "AUTH not offered here"), {}};
    }
    if (!secure && !settings_.allow_plain_tcp) {
        // RFC 4976 6.1: the client-relay hop is TLS; Digest alone over TCP
        // would hand out a Use-Path anyone on the way could take over.
        ++counters_.forbidden;
        return {im::msrp::make_response(auth, im::msrp::kStatusForbidden, "AUTH needs TLS (msrps)"),
                "AUTH over plain TCP refused"};
    }
    const std::string *header = auth.fields.find_header("Authorization");
    if (header == nullptr) return {challenge(auth, false, now), {}};

    auto authorization = parse_digest_authorization(*header);
    if (!authorization) {
        ++counters_.refused;
        return {im::msrp::make_response(auth, im::msrp::kStatusBadRequest, "Bad Authorization"),
                "AUTH with a malformed Authorization header"};
    }
    const std::string *ha1 = users_.ha1(authorization->username);
    auto digest_uri = im::msrp::parse_uri(authorization->uri);
    bool right_uri = digest_uri.ok() && im::msrp::equivalent(digest_uri.value(), auth.to_path.front());
    if (ha1 == nullptr || authorization->realm != settings_.realm || !right_uri ||
        !digest_matches(*authorization, *ha1, "AUTH")) {
        ++counters_.refused;
        return {challenge(auth, false, now),
                "AUTH of user '" + authorization->username + "' refused: wrong user, password, realm or digest-uri"};
    }
    if (!fresh_nonce(authorization->nonce, now)) {
        // Right password, old or unknown nonce: ask again with stale=true (RFC 7616 3.3).
        return {challenge(auth, true, now), {}};
    }

    std::chrono::seconds expires = settings_.expires;
    if (const std::string *asked = auth.fields.find_header("Expires")) {
        std::uint32_t seconds = 0;
        auto [end, error] = std::from_chars(asked->data(), asked->data() + asked->size(), seconds);
        if (error != std::errc{} || end != asked->data() + asked->size())
            return {im::msrp::make_response(auth, im::msrp::kStatusBadRequest, "Bad Expires"), {}};
        expires = std::chrono::seconds(seconds);
        if (expires < settings_.min_expires || expires > settings_.max_expires) {
            // RFC 4976 5.1: 423 Interval Out-of-Bounds, naming the bound crossed.
            ++counters_.out_of_bounds;
            bool too_short = expires < settings_.min_expires;
            return {with_header(im::msrp::make_response(auth, im::msrp::kStatusOutOfBounds, "Interval Out-of-Bounds"),
                                too_short ? "Min-Expires" : "Max-Expires",
                                std::to_string((too_short ? settings_.min_expires : settings_.max_expires).count())),
                    {}};
        }
    }

    AuthGrant *grant = grant_for(connection, auth.from_path);
    if (grant == nullptr) {
        if (grants_.size() >= settings_.max_grants) {
            ++counters_.forbidden;
            return {im::msrp::make_response(auth, im::msrp::kStatusForbidden, "Too many clients"),
                    "AUTH refused: " + std::to_string(grants_.size()) + " grants already"};
        }
        std::string id;
        do id = im::msrp::random_alphanumeric(kGrantIdLength, random_);
        while (grants_.contains(id));
        AuthGrant fresh;
        fresh.id = id;
        fresh.connection = connection;
        fresh.secure = secure;
        fresh.client_path = auth.from_path;
        grant = &grants_.emplace(id, std::move(fresh)).first->second;
    }
    // The nonce answered once is used up: a replayed AUTH is challenged.
    nonces_.erase(authorization->nonce);
    grant->user = authorization->username;
    grant->expires_at = now + expires;
    ++counters_.granted;
    Response ok = im::msrp::make_response(auth, im::msrp::kStatusOk);
    ok.fields.add("Use-Path", address.path_for(grant->id, secure));
    ok.fields.add("Expires", std::to_string(expires.count()));
    return {std::move(ok), "AUTH of user '" + grant->user + "': Use-Path " + address.path_for(grant->id, secure) +
                               " for " + std::to_string(expires.count()) + " s"};
}

Response RelayAuth::challenge(const Request &auth, bool stale, SteadyClock::time_point now)
{
    ++counters_.challenges;
    while (nonces_.size() >= settings_.max_nonces && !nonce_order_.empty()) {
        nonces_.erase(nonce_order_.front());
        nonce_order_.pop_front();
    }
    // Answered nonces leave nonces_ but stay in nonce_order_ until they reach
    // its front: bound that too.
    while (nonce_order_.size() >= 2 * settings_.max_nonces) {
        nonces_.erase(nonce_order_.front());
        nonce_order_.pop_front();
    }
    std::string nonce = im::msrp::random_alphanumeric(kNonceLength, random_);
    nonces_[nonce] = now;
    nonce_order_.push_back(nonce);
    return with_header(im::msrp::make_response(auth, im::msrp::kStatusUnauthorized),
                       "WWW-Authenticate", challenge_header(settings_.realm, nonce, stale));
}

bool RelayAuth::fresh_nonce(const std::string &nonce, SteadyClock::time_point now) const
{
    auto found = nonces_.find(nonce);
    return found != nonces_.end() && now - found->second < settings_.nonce_lifetime;
}

AuthGrant *RelayAuth::grant_for(ConnectionId connection, const im::msrp::Path &client_path)
{
    for (auto &[id, grant] : grants_) {
        if (grant.connection == connection && grant.client_path == client_path) return &grant;
    }
    return nullptr;
}

const AuthGrant *RelayAuth::find(std::string_view id, SteadyClock::time_point now)
{
    auto found = grants_.find(id);
    if (found == grants_.end()) return nullptr;
    if (found->second.expires_at <= now) {
        ++counters_.expired;
        grants_.erase(found);
        return nullptr;
    }
    return &found->second;
}

void RelayAuth::drop_connection(ConnectionId connection)
{
    std::erase_if(grants_, [connection](const auto &entry) { return entry.second.connection == connection; });
}

bool RelayAuth::binds(ConnectionId connection) const
{
    return std::ranges::any_of(grants_, [connection](const auto &entry) { return entry.second.connection == connection; });
}

std::size_t RelayAuth::expire(SteadyClock::time_point now)
{
    std::size_t expired = std::erase_if(grants_, [now](const auto &entry) { return entry.second.expires_at <= now; });
    counters_.expired += expired;
    return expired;
}

}  // namespace im::msrp_relay

#pragma once
// RFC 4976 AUTH at this relay: who may use it (the users of the
// credentials file), the Digest challenge and its check, the Expires bounds,
// and the grants handed out (a Use-Path per authenticated client, tied to
// the connection its AUTH came on). Plain values and no sockets: MsrpSwitch
// asks it, the tests drive it directly.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/ids.hpp"
#include "im/msrp/message.hpp"
#include "im/relay/control_client.hpp"
#include "msrp_relay/relay_address.hpp"
#include "msrp_relay/session_registry.hpp"

namespace im::msrp_relay {

// Who may AUTH: user name -> HA1 = MD5(user:realm:password) for the realm.
class AuthUsers {
public:
    // A credentials file: one user per line, blank lines and lines starting
    // with '#' skipped. "user:realm:HA1" (Apache htdigest, HA1 32 hex
    // digits; lines of another realm are skipped) gives the HA1; any other
    // "user:password" line the password (everything after the first colon).
    static im::relay::Outcome<AuthUsers, std::string> parse(std::string_view text, std::string_view realm,
                                                            std::string_view file_name);

    void add_password(std::string_view user, std::string_view realm, std::string_view password);
    void add_ha1(std::string user, std::string ha1);
    const std::string *ha1(std::string_view user) const;
    bool empty() const { return ha1_.empty(); }
    std::size_t size() const { return ha1_.size(); }

private:
    std::map<std::string, std::string, std::less<>> ha1_;
};

struct AuthSettings {
    std::string realm = "im-msrp-relay";
    // The grant's lifetime when the AUTH asks for none, and the bounds of
    // what it may ask for (423 with Min-Expires / Max-Expires outside them).
    std::chrono::seconds expires{1800};
    std::chrono::seconds min_expires{60};
    std::chrono::seconds max_expires{3600};
    // A challenge's nonce is good this long, for one successful AUTH.
    std::chrono::seconds nonce_lifetime{300};
    // RFC 4976 6.1: clients reach their relay over TLS. True accepts AUTH
    // over plain TCP as well (tests, trusted networks).
    bool allow_plain_tcp = false;
    std::size_t max_grants = 10000;
    std::size_t max_nonces = 4096;
};

// One authenticated client: its Use-Path session id, and how it is reached.
struct AuthGrant {
    std::string id;              // session-id of our Use-Path URI: unguessable
    std::string user;
    ConnectionId connection = 0; // the connection the AUTH came on
    bool secure = false;         // ... over TLS: the Use-Path is msrps:
    im::msrp::Path client_path;  // the AUTH's From-Path: the way back to the client, first hop first
    SteadyClock::time_point expires_at;
};

struct AuthCounters {
    std::uint64_t challenges = 0;     // 401 with a fresh challenge (no or stale credentials)
    std::uint64_t granted = 0;        // 200: new grants and refreshes
    std::uint64_t refused = 0;        // 401: wrong user, password or digest
    std::uint64_t forbidden = 0;      // 403: AUTH not offered, not over TLS, too many grants
    std::uint64_t out_of_bounds = 0;  // 423: Expires outside the bounds
    std::uint64_t expired = 0;        // grants that ran out
};

class RelayAuth {
public:
    // random must be unpredictable: nonces and grant ids come from it.
    RelayAuth(AuthSettings settings, AuthUsers users, im::msrp::RandomSource random);

    // No users: every AUTH is answered 403 (the relay authorizes nobody).
    bool offered() const { return !users_.empty(); }

    struct Answer {
        im::msrp::Response response;
        std::string log;  // a line for the operator when something was decided, else empty
    };
    // The answer to an AUTH whose To-Path is this relay alone, received on
    // connection (secure: over TLS). A 200 carries Use-Path (our URI with a
    // fresh grant id; the same one when the client refreshes on the same
    // connection) and Expires.
    Answer answer(ConnectionId connection, bool secure, const im::msrp::Request &auth, const RelayAddress &address,
                  SteadyClock::time_point now);

    // The live grant with this id, or nullptr (unknown, or expired: then forgotten).
    const AuthGrant *find(std::string_view id, SteadyClock::time_point now);
    // The connection is gone: its grants cannot reach their clients any more.
    void drop_connection(ConnectionId connection);
    bool binds(ConnectionId connection) const;
    // Forgets expired grants; returns how many.
    std::size_t expire(SteadyClock::time_point now);

    std::size_t size() const { return grants_.size(); }
    const AuthCounters &counters() const { return counters_; }
    const AuthSettings &settings() const { return settings_; }

private:
    im::msrp::Response challenge(const im::msrp::Request &auth, bool stale, SteadyClock::time_point now);
    // Whether nonce was issued by us, is fresh, and not used yet.
    bool fresh_nonce(const std::string &nonce, SteadyClock::time_point now) const;
    AuthGrant *grant_for(ConnectionId connection, const im::msrp::Path &client_path);

    AuthSettings settings_;
    AuthUsers users_;
    im::msrp::RandomSource random_;
    AuthCounters counters_;
    std::map<std::string, SteadyClock::time_point, std::less<>> nonces_;  // issued, not used yet
    std::deque<std::string> nonce_order_;                                 // oldest first, for the bound
    std::map<std::string, AuthGrant, std::less<>> grants_;
};

}  // namespace im::msrp_relay

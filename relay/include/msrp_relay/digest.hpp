#pragma once
// HTTP Digest (RFC 2617, RFC 7616 with MD5 and qop=auth) as RFC 4976
// section 5 uses it to authenticate an MSRP AUTH request: the challenge of a
// 401's WWW-Authenticate header and the Authorization header answering it,
// with the method "AUTH" and the digest-uri the URI the AUTH was sent to.
// Pure functions over text (MD5 from OpenSSL), for both sides: im-msrp-client
// answers challenges, the relay (RelayAuth) makes and checks them.
#include <optional>
#include <string>
#include <string_view>

namespace im::msrp_relay {

struct DigestChallenge {
    std::string realm;
    std::string nonce;
    std::string opaque;     // echoed when present
    std::string algorithm;  // empty or "MD5"; anything else is refused
    bool qop_auth = false;  // the server offered qop="auth"
};

// Parses `Digest realm="...", nonce="...", qop="auth,auth-int", ...`;
// nullopt when the scheme is not Digest, realm or nonce is missing, or the
// algorithm is not MD5.
std::optional<DigestChallenge> parse_digest_challenge(std::string_view header_value);

struct DigestCredentials {
    std::string username;
    std::string password;
};

// The hex MD5 of text.
std::string md5_hex(std::string_view text);

// HA1 = MD5(username ":" realm ":" password), what a credentials file may hold.
std::string digest_ha1(std::string_view username, std::string_view realm, std::string_view password);

// The request-digest of RFC 2617 3.2.2.1 from HA1 (with qop=auth when cnonce
// is not empty, else the RFC 2069 form).
std::string digest_response_from_ha1(std::string_view ha1, std::string_view nonce, std::string_view method,
                                     std::string_view uri, std::string_view nc, std::string_view cnonce);

// The same from the password.
std::string digest_response(const DigestCredentials &credentials, const DigestChallenge &challenge,
                            std::string_view method, std::string_view uri, std::string_view nc,
                            std::string_view cnonce);

// The whole Authorization header value answering challenge: qop=auth with
// nc=00000001 and cnonce when the server offered it.
std::string authorization_header(const DigestCredentials &credentials, const DigestChallenge &challenge,
                                 std::string_view method, std::string_view uri, std::string_view cnonce);

// The server side: the challenge a 401 carries, `Digest realm="...",
// nonce="...", qop="auth", algorithm=MD5` (and stale=true when the nonce of
// a correct answer was no longer valid).
std::string challenge_header(std::string_view realm, std::string_view nonce, bool stale = false);

// An Authorization header value as the client sent it.
struct DigestAuthorization {
    std::string username;
    std::string realm;
    std::string nonce;
    std::string uri;
    std::string response;
    std::string algorithm;  // empty or "MD5"
    std::string qop;        // empty (RFC 2069 form) or "auth"
    std::string nc;
    std::string cnonce;
};

// Parses `Digest username="...", realm="...", ...`; nullopt when the scheme
// is not Digest or username, realm, nonce, uri or response is missing.
std::optional<DigestAuthorization> parse_digest_authorization(std::string_view header_value);

// Whether authorization answers its nonce correctly for the method and the
// user whose HA1 is given: qop must be "auth" with nc and cnonce, the
// algorithm MD5 (or absent). Compares in constant time.
bool digest_matches(const DigestAuthorization &authorization, std::string_view ha1, std::string_view method);

}  // namespace im::msrp_relay

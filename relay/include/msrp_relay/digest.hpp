#pragma once
// HTTP Digest (RFC 2617) as RFC 4976 section 5 uses it to authenticate an
// MSRP AUTH request: the challenge of a 401's WWW-Authenticate header and
// the Authorization header answering it, with the method "AUTH" and the
// digest-uri the URI the AUTH was sent to. Pure functions over text (MD5
// from OpenSSL); im-msrp-client uses them.
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

// The request-digest of RFC 2617 3.2.2.1 (with qop=auth when cnonce is not
// empty, else the RFC 2069 form).
std::string digest_response(const DigestCredentials &credentials, const DigestChallenge &challenge,
                            std::string_view method, std::string_view uri, std::string_view nc,
                            std::string_view cnonce);

// The whole Authorization header value answering challenge: qop=auth with
// nc=00000001 and cnonce when the server offered it.
std::string authorization_header(const DigestCredentials &credentials, const DigestChallenge &challenge,
                                 std::string_view method, std::string_view uri, std::string_view cnonce);

}  // namespace im::msrp_relay

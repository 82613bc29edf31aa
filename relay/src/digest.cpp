#include "msrp_relay/digest.hpp"

#include <openssl/evp.h>

#include "im/msrp/syntax.hpp"

#include <cctype>
#include <cstddef>

namespace im::msrp_relay {
namespace {

using im::msrp::syntax::iequals;

void skip_space(std::string_view &text)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == ',')) text.remove_prefix(1);
}

// One auth-param: token "=" ( token / quoted-string ); false at the end or on bad syntax.
bool next_param(std::string_view &text, std::string &name, std::string &value)
{
    skip_space(text);
    if (text.empty()) return false;
    std::size_t equals = text.find('=');
    if (equals == std::string_view::npos || equals == 0) return false;
    name = std::string(text.substr(0, equals));
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
    text.remove_prefix(equals + 1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    value.clear();
    if (!text.empty() && text.front() == '"') {
        text.remove_prefix(1);
        while (!text.empty() && text.front() != '"') {
            if (text.front() == '\\' && text.size() > 1) text.remove_prefix(1);
            value.push_back(text.front());
            text.remove_prefix(1);
        }
        if (text.empty()) return false;  // unterminated
        text.remove_prefix(1);
    } else {
        std::size_t end = text.find_first_of(", \t");
        value = std::string(text.substr(0, end));
        text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    }
    return true;
}

std::string quoted(std::string_view value)
{
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

// The auth-params after "Digest ", or nullopt for another scheme.
std::optional<std::string_view> digest_params(std::string_view header_value)
{
    std::string_view text = header_value;
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    std::size_t space = text.find(' ');
    if (space == std::string_view::npos || !iequals(text.substr(0, space), "Digest")) return std::nullopt;
    return text.substr(space + 1);
}

}  // namespace

std::optional<DigestChallenge> parse_digest_challenge(std::string_view header_value)
{
    auto params = digest_params(header_value);
    if (!params) return std::nullopt;
    std::string_view text = *params;
    DigestChallenge challenge;
    std::string name;
    std::string value;
    bool has_realm = false;
    while (next_param(text, name, value)) {
        if (iequals(name, "realm")) {
            challenge.realm = value;
            has_realm = true;
        } else if (iequals(name, "nonce")) challenge.nonce = value;
        else if (iequals(name, "opaque")) challenge.opaque = value;
        else if (iequals(name, "algorithm")) challenge.algorithm = value;
        else if (iequals(name, "qop")) {
            std::string_view options = value;
            while (!options.empty()) {
                std::size_t comma = options.find(',');
                std::string_view option = options.substr(0, comma);
                while (!option.empty() && option.front() == ' ') option.remove_prefix(1);
                while (!option.empty() && option.back() == ' ') option.remove_suffix(1);
                if (iequals(option, "auth")) challenge.qop_auth = true;
                options.remove_prefix(comma == std::string_view::npos ? options.size() : comma + 1);
            }
        }
    }
    if (!has_realm || challenge.nonce.empty()) return std::nullopt;
    if (!challenge.algorithm.empty() && !iequals(challenge.algorithm, "MD5")) return std::nullopt;
    return challenge;
}

std::string md5_hex(std::string_view text)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr);
    constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 0x0f]);
    }
    return out;
}

std::string digest_ha1(std::string_view username, std::string_view realm, std::string_view password)
{
    return md5_hex(std::string(username) + ":" + std::string(realm) + ":" + std::string(password));
}

std::string digest_response_from_ha1(std::string_view ha1, std::string_view nonce, std::string_view method,
                                     std::string_view uri, std::string_view nc, std::string_view cnonce)
{
    std::string ha2 = md5_hex(std::string(method) + ":" + std::string(uri));
    std::string prefix = std::string(ha1) + ":" + std::string(nonce) + ":";
    if (cnonce.empty()) return md5_hex(prefix + ha2);
    return md5_hex(prefix + std::string(nc) + ":" + std::string(cnonce) + ":auth:" + ha2);
}

std::string digest_response(const DigestCredentials &credentials, const DigestChallenge &challenge,
                            std::string_view method, std::string_view uri, std::string_view nc,
                            std::string_view cnonce)
{
    return digest_response_from_ha1(digest_ha1(credentials.username, challenge.realm, credentials.password),
                                     challenge.nonce, method, uri, nc, cnonce);
}

std::string authorization_header(const DigestCredentials &credentials, const DigestChallenge &challenge,
                                 std::string_view method, std::string_view uri, std::string_view cnonce)
{
    constexpr std::string_view kNc = "00000001";
    std::string_view used_cnonce = challenge.qop_auth ? cnonce : std::string_view();
    std::string value = "Digest username=" + quoted(credentials.username) + ", realm=" + quoted(challenge.realm) +
                        ", nonce=" + quoted(challenge.nonce) + ", uri=" + quoted(uri) + ", response=" +
                        quoted(digest_response(credentials, challenge, method, uri, kNc, used_cnonce)) +
                        ", algorithm=MD5";
    if (challenge.qop_auth)
        value += ", qop=auth, nc=" + std::string(kNc) + ", cnonce=" + quoted(cnonce);
    if (!challenge.opaque.empty()) value += ", opaque=" + quoted(challenge.opaque);
    return value;
}

std::string challenge_header(std::string_view realm, std::string_view nonce, bool stale)
{
    std::string value = "Digest realm=" + quoted(realm) + ", nonce=" + quoted(nonce) + ", qop=\"auth\", algorithm=MD5";
    if (stale) value += ", stale=true";
    return value;
}

std::optional<DigestAuthorization> parse_digest_authorization(std::string_view header_value)
{
    auto params = digest_params(header_value);
    if (!params) return std::nullopt;
    std::string_view text = *params;
    DigestAuthorization authorization;
    std::string name;
    std::string value;
    while (next_param(text, name, value)) {
        if (iequals(name, "username")) authorization.username = value;
        else if (iequals(name, "realm")) authorization.realm = value;
        else if (iequals(name, "nonce")) authorization.nonce = value;
        else if (iequals(name, "uri")) authorization.uri = value;
        else if (iequals(name, "response")) authorization.response = value;
        else if (iequals(name, "algorithm")) authorization.algorithm = value;
        else if (iequals(name, "qop")) authorization.qop = value;
        else if (iequals(name, "nc")) authorization.nc = value;
        else if (iequals(name, "cnonce")) authorization.cnonce = value;
    }
    if (authorization.username.empty() || authorization.nonce.empty() || authorization.uri.empty() ||
        authorization.response.empty())
        return std::nullopt;
    return authorization;
}

bool digest_matches(const DigestAuthorization &authorization, std::string_view ha1, std::string_view method)
{
    if (!authorization.algorithm.empty() && !iequals(authorization.algorithm, "MD5")) return false;
    // We offer qop="auth" only: its nc and cnonce protect the client against chosen plaintext.
    if (!iequals(authorization.qop, "auth") || authorization.nc.empty() || authorization.cnonce.empty()) return false;
    std::string expected = digest_response_from_ha1(ha1, authorization.nonce, method, authorization.uri,
                                                    authorization.nc, authorization.cnonce);
    if (expected.size() != authorization.response.size()) return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < expected.size(); ++i)
        difference |= static_cast<unsigned char>(
            std::tolower(static_cast<unsigned char>(expected[i])) ^
            std::tolower(static_cast<unsigned char>(authorization.response[i])));
    return difference == 0;
}

}  // namespace im::msrp_relay

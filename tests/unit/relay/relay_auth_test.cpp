// RFC 4976 AUTH at the relay and the forwarding for AUTHed clients: the
// Digest exchange (RelayAuth) and what MsrpSwitch does with requests whose
// To-Path starts with a Use-Path it gave out. No sockets: outbound
// connections come from a scripted opener.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>

#include "im/msrp/replies.hpp"
#include "im/msrp/serializer.hpp"
#include "msrp_relay/digest.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "msrp_relay/relay_auth.hpp"
#include "relay_test_support.hpp"

namespace {

using namespace im::msrp_relay;
using namespace im::msrp_relay::testing;
using namespace std::chrono_literals;
using im::msrp::Request;
using im::msrp::Response;

constexpr ConnectionId kClient = 1;     // alice's TLS connection to us
constexpr ConnectionId kOther = 2;      // a second client
constexpr ConnectionId kPeer = 3;       // somebody else (the far end's relay)
constexpr ConnectionId kOutbound = 10;  // what the opener hands out

const im::msrp::Path kAlice = path("msrps://192.0.2.1:7001/alice1;tcp");
const im::msrp::Path kCarol = path("msrps://192.0.2.3:7003/carol1;tcp");
const im::msrp::Uri kRelayUri = uri("msrps://127.0.0.1:2856;tcp");
const im::msrp::Uri kFarRelay = uri("msrp://198.51.100.7:2855/far99;tcp");
const im::msrp::Uri kBob = uri("msrp://198.51.100.8:7002/bob1;tcp");

std::chrono::system_clock::time_point fixed_wall_clock() { return std::chrono::system_clock::from_time_t(1767225600); }

std::vector<im::msrp::Frame> sent_to(const std::vector<Outgoing> &out, ConnectionId connection)
{
    std::string bytes;
    for (const Outgoing &outgoing : out) {
        if (outgoing.connection == connection) bytes += outgoing.wire();
    }
    return frames_of(bytes);
}

Request auth_request(std::string transaction_id, const im::msrp::Path &from, std::optional<std::string> authorization = {},
                     std::optional<std::string> expires = {})
{
    Request auth;
    auth.transaction_id = std::move(transaction_id);
    auth.method = "AUTH";
    auth.to_path = {kRelayUri};
    auth.from_path = from;
    if (authorization) auth.fields.add("Authorization", *authorization);
    if (expires) auth.fields.add("Expires", *expires);
    return auth;
}

AuthSettings settings()
{
    AuthSettings settings;
    settings.realm = "relay.test";
    settings.expires = 600s;
    settings.min_expires = 60s;
    settings.max_expires = 3600s;
    return settings;
}

AuthUsers users()
{
    auto parsed = AuthUsers::parse("# who may use the relay\nalice:wonderland\n\ncarol:relay.test:" +
                                       digest_ha1("carol", "relay.test", "s3cret:with:colons") + "\n",
                                   "relay.test", "users");
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? parsed.value() : AuthUsers{};
}

std::string authorization_for(const Response &challenge, DigestCredentials credentials,
                              const im::msrp::Uri &to = kRelayUri)
{
    const std::string *header = challenge.fields.find_header("WWW-Authenticate");
    EXPECT_NE(header, nullptr);
    auto parsed = parse_digest_challenge(header ? *header : "");
    EXPECT_TRUE(parsed);
    return authorization_header(credentials, parsed.value_or(DigestChallenge{}), "AUTH", im::msrp::to_string(to),
                                "0a4f113b");
}

class RelayAuthTest : public ::testing::Test {
protected:
    RelayAuth auth_{settings(), users(), seeded_random(5)};
    RelayAddress address_{"127.0.0.1", 2855, 2856};
    SteadyClock::time_point now_ = SteadyClock::now();

    Response answer(const Request &request, ConnectionId from = kClient, bool secure = true)
    {
        last_log_ = {};
        auto answer = auth_.answer(from, secure, request, address_, now_);
        last_log_ = answer.log;
        return answer.response;
    }
    // The whole exchange: 401, then the answer to it.
    Response authenticate(const im::msrp::Path &from, DigestCredentials credentials, ConnectionId connection = kClient,
                          std::optional<std::string> expires = {})
    {
        Response challenge = answer(auth_request("auth0001", from), connection);
        EXPECT_EQ(challenge.status_code, 401);
        return answer(auth_request("auth0002", from, authorization_for(challenge, credentials), expires), connection);
    }

    std::string last_log_;
};

}  // namespace

TEST(RelayDigestServer, ParsesAClientsAuthorizationAndChecksItsDigest)
{
    DigestChallenge challenge{"relay.test", "n0nce", "", "", true};
    std::string header = authorization_header({"alice", "wonderland"}, challenge, "AUTH", "msrps://127.0.0.1:2856;tcp", "c0nce");
    auto parsed = parse_digest_authorization(header);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->username, "alice");
    EXPECT_EQ(parsed->realm, "relay.test");
    EXPECT_EQ(parsed->nonce, "n0nce");
    EXPECT_EQ(parsed->uri, "msrps://127.0.0.1:2856;tcp");
    EXPECT_EQ(parsed->qop, "auth");
    EXPECT_EQ(parsed->nc, "00000001");
    EXPECT_EQ(parsed->cnonce, "c0nce");
    EXPECT_TRUE(digest_matches(*parsed, digest_ha1("alice", "relay.test", "wonderland"), "AUTH"));
    EXPECT_FALSE(digest_matches(*parsed, digest_ha1("alice", "relay.test", "wrong"), "AUTH"));
    EXPECT_FALSE(digest_matches(*parsed, digest_ha1("alice", "relay.test", "wonderland"), "SEND"));

    // Without qop (the RFC 2069 form) it is refused: we offer qop="auth" only.
    DigestChallenge old{"relay.test", "n0nce", "", "", false};
    auto plain = parse_digest_authorization(
        authorization_header({"alice", "wonderland"}, old, "AUTH", "msrps://127.0.0.1:2856;tcp", "c0nce"));
    ASSERT_TRUE(plain);
    EXPECT_FALSE(digest_matches(*plain, digest_ha1("alice", "relay.test", "wonderland"), "AUTH"));

    EXPECT_FALSE(parse_digest_authorization(R"(Basic YWxpY2U6d29uZGVybGFuZA==)"));
    EXPECT_FALSE(parse_digest_authorization(R"(Digest username="alice", realm="r", nonce="n")"));
    EXPECT_EQ(challenge_header("relay.test", "abc"), R"(Digest realm="relay.test", nonce="abc", qop="auth", algorithm=MD5)");
    EXPECT_EQ(challenge_header("relay.test", "abc", true),
              R"(Digest realm="relay.test", nonce="abc", qop="auth", algorithm=MD5, stale=true)");
}

TEST(RelayAuthUsers, ReadsPasswordsAndHtdigestLines)
{
    std::string carol = digest_ha1("carol", "relay.test", "pw");
    auto parsed = AuthUsers::parse("alice:pass:word\r\ncarol:relay.test:" + carol + "\ndave:other.realm:" +
                                       digest_ha1("dave", "other.realm", "pw") + "\n# comment\n",
                                   "relay.test", "users.txt");
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value().size(), 2u) << "dave's line is for another realm";
    ASSERT_NE(parsed.value().ha1("alice"), nullptr);
    EXPECT_EQ(*parsed.value().ha1("alice"), digest_ha1("alice", "relay.test", "pass:word"));
    EXPECT_EQ(*parsed.value().ha1("carol"), carol);
    EXPECT_EQ(parsed.value().ha1("dave"), nullptr);

    auto bad = AuthUsers::parse("alice\n", "relay.test", "users.txt");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), "users.txt:1: expected 'user:password' or 'user:realm:HA1'");
}

TEST_F(RelayAuthTest, FirstAuthIsChallengedWithAFreshNonceAndQopAuth)
{
    Response first = answer(auth_request("auth0001", kAlice));
    Response second = answer(auth_request("auth0002", kAlice));
    EXPECT_EQ(first.status_code, 401);
    EXPECT_EQ(first.transaction_id, "auth0001");
    EXPECT_EQ(first.to_path, kAlice);
    EXPECT_EQ(first.from_path, im::msrp::Path{kRelayUri});
    const std::string *header = first.fields.find_header("WWW-Authenticate");
    ASSERT_NE(header, nullptr);
    auto challenge = parse_digest_challenge(*header);
    ASSERT_TRUE(challenge);
    EXPECT_EQ(challenge->realm, "relay.test");
    EXPECT_TRUE(challenge->qop_auth);
    EXPECT_EQ(challenge->algorithm, "MD5");
    EXPECT_GE(challenge->nonce.size(), 22u);
    EXPECT_NE(*second.fields.find_header("WWW-Authenticate"), *header) << "every challenge has its own nonce";
    EXPECT_EQ(auth_.counters().challenges, 2u);
}

TEST_F(RelayAuthTest, RightPasswordGets200WithAUsePathOfThisRelayAndExpires)
{
    Response ok = authenticate(kAlice, {"alice", "wonderland"});
    ASSERT_EQ(ok.status_code, 200);
    const std::string *use_path = ok.fields.find_header("Use-Path");
    ASSERT_NE(use_path, nullptr);
    auto parsed = im::msrp::parse_path(*use_path);
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed.value().size(), 1u);
    const im::msrp::Uri &ours = parsed.value().front();
    EXPECT_TRUE(ours.secure) << "the client came over TLS: msrps";
    EXPECT_EQ(ours.port, 2856);
    EXPECT_EQ(ours.session_id.size(), 24u);
    EXPECT_TRUE(address_.is_ours(ours));
    EXPECT_EQ(*ok.fields.find_header("Expires"), "600");
    EXPECT_NE(last_log_.find("AUTH of user 'alice': Use-Path " + *use_path), std::string::npos) << last_log_;

    const AuthGrant *grant = auth_.find(ours.session_id, now_);
    ASSERT_NE(grant, nullptr);
    EXPECT_EQ(grant->user, "alice");
    EXPECT_EQ(grant->connection, kClient);
    EXPECT_EQ(grant->client_path, kAlice);
    EXPECT_EQ(auth_.counters().granted, 1u);

    // An htdigest user with colons in the password; another grant id.
    Response carol = authenticate(kCarol, {"carol", "s3cret:with:colons"}, kOther);
    ASSERT_EQ(carol.status_code, 200);
    EXPECT_NE(*carol.fields.find_header("Use-Path"), *use_path);
    EXPECT_EQ(auth_.size(), 2u);
}

TEST_F(RelayAuthTest, WrongPasswordOrUnknownUserIsChallengedAgainAndLogged)
{
    Response refused = authenticate(kAlice, {"alice", "wrong"});
    EXPECT_EQ(refused.status_code, 401);
    EXPECT_NE(refused.fields.find_header("WWW-Authenticate"), nullptr);
    EXPECT_NE(last_log_.find("AUTH of user 'alice' refused"), std::string::npos) << last_log_;
    EXPECT_EQ(authenticate(kAlice, {"mallory", "wonderland"}).status_code, 401);
    // A digest for another URI than the one the AUTH went to is refused too.
    Response challenge = answer(auth_request("auth0003", kAlice));
    Request other_uri = auth_request("auth0004", kAlice,
                                     authorization_for(challenge, {"alice", "wonderland"}, uri("msrps://evil.example:2856;tcp")));
    EXPECT_EQ(answer(other_uri).status_code, 401);
    EXPECT_EQ(auth_.counters().refused, 3u);
    EXPECT_EQ(auth_.size(), 0u);
}

TEST_F(RelayAuthTest, UsedOldOrUnknownNoncesGetAStaleChallenge)
{
    Response challenge = answer(auth_request("auth0001", kAlice));
    std::string authorization = authorization_for(challenge, {"alice", "wonderland"});
    EXPECT_EQ(answer(auth_request("auth0002", kAlice, authorization)).status_code, 200);
    // The same answer again (a replay): the nonce is used up.
    Response replay = answer(auth_request("auth0003", kAlice, authorization));
    EXPECT_EQ(replay.status_code, 401);
    EXPECT_NE(replay.fields.find_header("WWW-Authenticate")->find("stale=true"), std::string::npos);

    Response late_challenge = answer(auth_request("auth0004", kAlice));
    now_ += 301s;  // past the nonce lifetime
    Response late = answer(auth_request("auth0005", kAlice, authorization_for(late_challenge, {"alice", "wonderland"})));
    EXPECT_EQ(late.status_code, 401);
    EXPECT_NE(late.fields.find_header("WWW-Authenticate")->find("stale=true"), std::string::npos);
}

TEST_F(RelayAuthTest, ExpiresOutsideTheBoundsGets423WithMinOrMaxExpires)
{
    Response too_short = authenticate(kAlice, {"alice", "wonderland"}, kClient, "59");
    EXPECT_EQ(too_short.status_code, 423);
    EXPECT_EQ(too_short.comment, "Interval Out-of-Bounds");
    ASSERT_NE(too_short.fields.find_header("Min-Expires"), nullptr);
    EXPECT_EQ(*too_short.fields.find_header("Min-Expires"), "60");
    EXPECT_EQ(too_short.fields.find_header("Max-Expires"), nullptr);

    Response too_long = authenticate(kAlice, {"alice", "wonderland"}, kClient, "3601");
    EXPECT_EQ(too_long.status_code, 423);
    EXPECT_EQ(*too_long.fields.find_header("Max-Expires"), "3600");
    EXPECT_EQ(auth_.counters().out_of_bounds, 2u);

    Response within = authenticate(kAlice, {"alice", "wonderland"}, kClient, "120");
    EXPECT_EQ(within.status_code, 200);
    EXPECT_EQ(*within.fields.find_header("Expires"), "120");
    EXPECT_EQ(authenticate(kAlice, {"alice", "wonderland"}, kClient, "soon").status_code, 400);
}

TEST_F(RelayAuthTest, PlainTcpAndRelaysWithoutUsersRefuseWith403)
{
    Response plain = answer(auth_request("auth0001", kAlice), kClient, false);
    EXPECT_EQ(plain.status_code, 403);
    EXPECT_EQ(plain.comment, "AUTH needs TLS (msrps)");

    RelayAuth nobody(settings(), AuthUsers{}, seeded_random(1));
    EXPECT_FALSE(nobody.offered());
    EXPECT_EQ(nobody.answer(kClient, true, auth_request("auth0002", kAlice), address_, now_).response.status_code, 403);

    AuthSettings tcp = settings();
    tcp.allow_plain_tcp = true;
    RelayAuth over_tcp(tcp, users(), seeded_random(2));
    EXPECT_EQ(over_tcp.answer(kClient, false, auth_request("auth0003", kAlice), address_, now_).response.status_code, 401);
}

TEST_F(RelayAuthTest, ARefreshKeepsTheUsePathAndGrantsExpire)
{
    Response first = authenticate(kAlice, {"alice", "wonderland"}, kClient, "60");
    ASSERT_EQ(first.status_code, 200);
    std::string use_path = *first.fields.find_header("Use-Path");
    std::string id = im::msrp::parse_uri(use_path).value().session_id;
    now_ += 50s;
    Response refreshed = authenticate(kAlice, {"alice", "wonderland"}, kClient, "60");
    EXPECT_EQ(*refreshed.fields.find_header("Use-Path"), use_path);
    now_ += 50s;  // 100 s after the first AUTH, 50 after the refresh
    EXPECT_NE(auth_.find(id, now_), nullptr);
    EXPECT_EQ(auth_.expire(now_), 0u);
    now_ += 11s;
    EXPECT_EQ(auth_.expire(now_), 1u);
    EXPECT_EQ(auth_.find(id, now_), nullptr);
    EXPECT_EQ(auth_.counters().expired, 1u);

    // A grant goes with its connection.
    ASSERT_EQ(authenticate(kAlice, {"alice", "wonderland"}).status_code, 200);
    EXPECT_TRUE(auth_.binds(kClient));
    auth_.drop_connection(kClient);
    EXPECT_FALSE(auth_.binds(kClient));
    EXPECT_EQ(auth_.size(), 0u);
}

namespace {

// The switch with AUTH: alice AUTHed on kClient (TLS); outbound connections
// come from opened_, one per authority.
class AuthSwitchTest : public ::testing::Test {
protected:
    AuthSwitchTest() : switch_(registry_, address_, seeded_random(7), fixed_wall_clock)
    {
        switch_.set_auth(&auth_, [this](const std::string &line) { log_.push_back(line); });
        switch_.set_outbound([this](const im::msrp::Uri &next) {
            std::string authority = next.host + ":" + std::to_string(next.port.value_or(2855));
            auto [it, fresh] = opened_.emplace(authority, kOutbound + opened_.size());
            return it->second;
        });
        switch_.set_secure(kClient);
        switch_.set_secure(kOther);
    }

    std::vector<Outgoing> receive(ConnectionId from, im::msrp::Frame frame)
    {
        return switch_.on_frame(from, std::move(frame), now_);
    }

    // AUTH through the switch; returns our Use-Path URI.
    im::msrp::Uri authenticate(ConnectionId connection, const im::msrp::Path &from, std::string password = "wonderland")
    {
        auto challenged = sent_to(receive(connection, auth_request("auth0001", from)), connection);
        EXPECT_EQ(challenged.size(), 1u);
        const Response &challenge = as_response(challenged.at(0));
        EXPECT_EQ(challenge.status_code, 401);
        auto answered = sent_to(
            receive(connection, auth_request("auth0002", from, authorization_for(challenge, {"alice", password}))),
            connection);
        const Response &ok = as_response(answered.at(0));
        EXPECT_EQ(ok.status_code, 200);
        const std::string *use_path = ok.fields.find_header("Use-Path");
        return use_path ? uri(*use_path) : im::msrp::Uri{};
    }

    RelayAddress address_{"127.0.0.1", 2855, 2856};
    SessionRegistry registry_{seeded_random(1)};
    RelayAuth auth_{settings(), users(), seeded_random(3)};
    MsrpSwitch switch_;
    std::map<std::string, ConnectionId> opened_;
    std::vector<std::string> log_;
    SteadyClock::time_point now_ = SteadyClock::now();
};

}  // namespace

TEST_F(AuthSwitchTest, AuthGoesThroughTheSwitchAndIsLogged)
{
    im::msrp::Uri ours = authenticate(kClient, kAlice);
    EXPECT_TRUE(ours.secure);
    ASSERT_EQ(log_.size(), 1u);
    EXPECT_NE(log_[0].find("AUTH of user 'alice'"), std::string::npos);
    EXPECT_TRUE(switch_.carries_sessions(kClient)) << "the client's connection stays open while it holds a grant";
    switch_.on_connection_closed(kClient);
    EXPECT_EQ(auth_.size(), 0u);

    // Over a connection not marked TLS: 403.
    auto plain = sent_to(receive(kPeer, auth_request("auth0009", kAlice)), kPeer);
    EXPECT_EQ(as_response(plain.at(0)).status_code, 403);

    // Without RelayAuth: 403 (not offered) rather than 501.
    MsrpSwitch bare(registry_, address_, seeded_random(8), fixed_wall_clock);
    auto refused = bare.on_frame(kClient, auth_request("auth0010", kAlice), now_);
    EXPECT_EQ(as_response(sent_to(refused, kClient).at(0)).status_code, 403);
}

TEST_F(AuthSwitchTest, FromTheClientOnToTheNextHopOverAnOutboundConnectionAndBack)
{
    im::msrp::Uri ours = authenticate(kClient, kAlice);
    // Alice sends through us and a far relay to Bob (RFC 4976 7.3).
    auto out = receive(kClient, send("tidA0001", {ours, kFarRelay, kBob}, kAlice, "msg00001", "text/plain", "hi"));
    auto to_alice = sent_to(out, kClient);
    ASSERT_EQ(to_alice.size(), 1u);
    EXPECT_EQ(as_response(to_alice[0]).status_code, 200);
    EXPECT_EQ(as_response(to_alice[0]).from_path, im::msrp::Path{ours}) << "answered hop by hop, by us";
    ASSERT_EQ(opened_.size(), 1u);
    EXPECT_EQ(opened_.begin()->first, "198.51.100.7:2855");
    auto forwarded = sent_to(out, kOutbound);
    ASSERT_EQ(forwarded.size(), 1u);
    const Request &sent = as_request(forwarded[0]);
    EXPECT_EQ(sent.to_path, (im::msrp::Path{kFarRelay, kBob}));
    // Our URI as the next hop (msrp:) knows us, in front of Alice's.
    EXPECT_EQ(sent.from_path, (im::msrp::Path{address_.uri_for(ours.session_id, false), kAlice.front()}));
    EXPECT_EQ(sent.body->bytes, "hi");
    EXPECT_NE(sent.transaction_id, "tidA0001");

    // A second message reuses the outbound connection.
    out = receive(kClient, send("tidA0002", {ours, kFarRelay, kBob}, kAlice, "msg00002", "text/plain", "again"));
    EXPECT_EQ(opened_.size(), 1u);
    EXPECT_EQ(sent_to(out, kOutbound).size(), 1u);

    // Bob answers through the far relay, which came back on the outbound connection.
    im::msrp::Path to_alice_path{address_.uri_for(ours.session_id, false), kAlice.front()};
    out = receive(kOutbound, send("tidF0001", to_alice_path, {kFarRelay, kBob}, "msg00003", "text/plain", "hello alice"));
    EXPECT_EQ(as_response(sent_to(out, kOutbound).at(0)).status_code, 200);
    auto delivered = sent_to(out, kClient);
    ASSERT_EQ(delivered.size(), 1u);
    const Request &for_alice = as_request(delivered[0]);
    EXPECT_EQ(for_alice.to_path, kAlice);
    EXPECT_EQ(for_alice.from_path, (im::msrp::Path{ours, kFarRelay, kBob}))
        << "our msrps: URI (Alice's connection is TLS) in front of the far relay's";
    EXPECT_EQ(for_alice.body->bytes, "hello alice");
}

TEST_F(AuthSwitchTest, NextHopFailuresBecomeFailureReportsToTheClient)
{
    im::msrp::Uri ours = authenticate(kClient, kAlice);
    auto out = receive(kClient, send("tidA0001", {ours, kFarRelay, kBob}, kAlice, "msg00001", "text/plain", "lost"));
    auto forwarded = sent_to(out, kOutbound);
    ASSERT_EQ(forwarded.size(), 1u);
    const Request &sent = as_request(forwarded[0]);
    // The next hop refuses it: Alice gets a failure REPORT from us.
    out = receive(kOutbound, im::msrp::make_response(sent, 415));
    auto reports = sent_to(out, kClient);
    ASSERT_EQ(reports.size(), 1u);
    const Request &report = as_request(reports[0]);
    EXPECT_EQ(report.method, "REPORT");
    EXPECT_EQ(report.to_path, kAlice);
    EXPECT_EQ(report.from_path, im::msrp::Path{ours});
    EXPECT_EQ(report.fields.find<im::msrp::Status>()->code, 415);
    EXPECT_EQ(report.fields.find<im::msrp::MessageId>()->value, "msg00001");

    // The outbound connection could not be opened: every SEND pending on it is reported, 408.
    receive(kClient, send("tidA0002", {ours, kFarRelay, kBob}, kAlice, "msg00002", "text/plain", "one"));
    auto failed = switch_.fail_pending(kOutbound, 408, "Next hop unreachable");
    auto unreachable = sent_to(failed, kClient);
    ASSERT_EQ(unreachable.size(), 1u);
    EXPECT_EQ(as_request(unreachable[0]).fields.find<im::msrp::Status>()->code, 408);
    EXPECT_EQ(as_request(unreachable[0]).fields.find<im::msrp::MessageId>()->value, "msg00002");
    EXPECT_EQ(switch_.counters().unreachable, 1u);

    // No connection at all for an msrps next hop (the opener says 0): 200, then the 408 REPORT.
    switch_.set_outbound([](const im::msrp::Uri &) { return ConnectionId{0}; });
    out = receive(kClient, send("tidA0003", {ours, kFarRelay, kBob}, kAlice, "msg00003", "text/plain", "two"));
    auto answered = sent_to(out, kClient);
    ASSERT_EQ(answered.size(), 2u);
    EXPECT_EQ(as_response(answered[0]).status_code, 200);
    EXPECT_EQ(as_request(answered[1]).fields.find<im::msrp::Status>()->code, 408);
}

TEST_F(AuthSwitchTest, UnknownExpiredAndStolenUsePathsAreRefused)
{
    im::msrp::Uri ours = authenticate(kClient, kAlice);
    // Unknown session id: 481.
    auto unknown = receive(kPeer, send("tidP0001", {address_.uri_for("nosuchgrantnosuchgrantxx"), kAlice.front()},
                                       {kBob}, "msg00001", "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(unknown, kPeer).at(0)).status_code, 481);
    // Somebody else using the Use-Path to go on elsewhere (as if it were the client): 403.
    auto stolen = receive(kPeer, send("tidP0002", {ours, kFarRelay}, {kBob}, "msg00002", "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(stolen, kPeer).at(0)).status_code, 403);
    EXPECT_TRUE(opened_.empty());
    EXPECT_EQ(switch_.counters().forbidden, 1u);
    // The Use-Path alone: nobody to forward to.
    auto alone = receive(kClient, send("tidA0003", {ours}, kAlice, "msg00003", "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(alone, kClient).at(0)).status_code, 481);
    // After Expires (600 s), the grant is gone: 481.
    now_ += 601s;
    auto expired = receive(kClient, send("tidA0004", {ours, kFarRelay, kBob}, kAlice, "msg00004", "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(expired, kClient).at(0)).status_code, 481);
    EXPECT_EQ(auth_.counters().expired, 1u);
}

TEST_F(AuthSwitchTest, NextHopsOfThisRelayAreDispatchedWithoutASocket)
{
    // Alice's Use-Path in front of a relay session's path_a of this same relay.
    RegistryError error{};
    const Session *session = registry_.create(SessionKind::relay, now_, error);
    im::msrp::Uri path_a = address_.uri_for(session->participants[0].id);
    im::msrp::Uri path_b = address_.uri_for(session->participants[1].id);
    receive(kPeer, send("bindb001", {path_b}, {kBob}, "bindmsgb"));
    im::msrp::Uri ours = authenticate(kClient, kAlice);

    auto out = receive(kClient, send("tidA0001", {ours, path_a}, kAlice, "msg00001", "text/plain", "local"));
    EXPECT_TRUE(opened_.empty()) << "no outbound connection to ourselves";
    EXPECT_TRUE(sent_to(out, kLoopbackConnection).empty()) << "loopback frames never leave the switch";
    auto to_alice = sent_to(out, kClient);
    ASSERT_EQ(to_alice.size(), 1u);
    EXPECT_EQ(as_response(to_alice[0]).status_code, 200);
    auto to_bob = sent_to(out, kPeer);
    ASSERT_EQ(to_bob.size(), 1u);
    const Request &for_bob = as_request(to_bob[0]);
    EXPECT_EQ(for_bob.to_path, im::msrp::Path{kBob});
    EXPECT_EQ(for_bob.from_path, (im::msrp::Path{path_b, address_.uri_for(ours.session_id, false), kAlice.front()}));

    // Bob answers: the session's side A is our own Use-Path hop, and from
    // there down Alice's connection, with both of our URIs in the From-Path.
    out = receive(kPeer, send("tidB0001", {path_b}, {kBob}, "msg00002", "text/plain", "hi alice"));
    auto back = sent_to(out, kClient);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(as_request(back[0]).to_path, kAlice);
    EXPECT_EQ(as_request(back[0]).from_path, (im::msrp::Path{ours, path_a, kBob}));
    EXPECT_EQ(as_request(back[0]).body->bytes, "hi alice");

    // Carol (another AUTHed client) sends to Alice's Use-Path: local too.
    im::msrp::Uri carols = authenticate(kOther, kCarol);
    out = receive(kOther, send("tidC0001", {carols, address_.uri_for(ours.session_id, true), kAlice.front()}, kCarol,
                               "msg00003", "text/plain", "from carol"));
    EXPECT_TRUE(opened_.empty());
    auto for_alice = sent_to(out, kClient);
    ASSERT_EQ(for_alice.size(), 1u);
    EXPECT_EQ(as_request(for_alice[0]).from_path, (im::msrp::Path{ours, carols, kCarol.front()}));
    EXPECT_EQ(as_response(sent_to(out, kOther).at(0)).status_code, 200);
}

#include <gtest/gtest.h>

#include <chrono>

#include "im/msrp/replies.hpp"
#include "msrp_relay/cpim.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "relay_test_support.hpp"

namespace {

using namespace im::msrp_relay;
using namespace im::msrp_relay::testing;
using im::msrp::ByteRange;
using im::msrp::Continuation;
using im::msrp::Request;
using im::msrp::Response;

constexpr ConnectionId kA = 1;
constexpr ConnectionId kB = 2;
constexpr ConnectionId kC = 3;

const im::msrp::Path kAlice = path("msrp://192.0.2.1:7001/alice1;tcp");
const im::msrp::Path kBob = path("msrp://192.0.2.2:7002/bob1;tcp");

std::chrono::system_clock::time_point fixed_wall_clock()
{
    return std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01T00:00:00Z
}

// All bytes the switch sent to one connection, parsed.
std::vector<im::msrp::Frame> sent_to(const std::vector<Outgoing> &out, ConnectionId connection)
{
    std::string bytes;
    for (const Outgoing &outgoing : out) {
        if (outgoing.connection == connection) bytes += outgoing.wire();
    }
    return frames_of(bytes);
}

class RelaySwitchTest : public ::testing::Test {
protected:
    RelaySwitchTest() : switch_(registry_, address_, seeded_random(7), fixed_wall_clock) {}

    std::vector<Outgoing> receive(ConnectionId from, im::msrp::Frame frame)
    {
        return switch_.on_frame(from, std::move(frame), SteadyClock::now());
    }

    // A relay session whose sides are bound: A (alice) on kA, B (bob) on kB.
    void bound_relay_session()
    {
        RegistryError error{};
        const Session *session = registry_.create(SessionKind::relay, SteadyClock::now(), error);
        a_ = address_.uri_for(session->participants[0].id);
        b_ = address_.uri_for(session->participants[1].id);
        receive(kB, send("bindb001", {b_}, kBob, "bindmsgb"));
        receive(kA, send("binda001", {a_}, kAlice, "bindmsga"));
    }

    RelayAddress address_{"127.0.0.1", 2855};
    SessionRegistry registry_{seeded_random(1)};
    MsrpSwitch switch_;
    im::msrp::Uri a_;
    im::msrp::Uri b_;
};

TEST_F(RelaySwitchTest, PathsLookLikeSdpPaths)
{
    EXPECT_EQ(address_.path_for("abcd"), "msrp://127.0.0.1:2855/abcd;tcp");
    RelayAddress v6{"::1", 2855};
    EXPECT_EQ(v6.path_for("abcd"), "msrp://[::1]:2855/abcd;tcp");
}

TEST_F(RelaySwitchTest, ForwardsEachChunkWithRfc4976PathsAndAnswersHopByHop)
{
    bound_relay_session();
    // A addressed the full path: the relay, then Bob.
    im::msrp::Path to{a_, kBob.front()};
    auto out = receive(kA, send("tidA0001", to, kAlice, "msg00001", "text/plain", "hello ",
                                ByteRange{1, 6, 11}, Continuation::more));

    auto back = sent_to(out, kA);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(as_response(back[0]).transaction_id, "tidA0001");
    EXPECT_EQ(as_response(back[0]).status_code, 200);

    auto forwarded = sent_to(out, kB);
    ASSERT_EQ(forwarded.size(), 1u);  // the first chunk goes on before the second arrives
    const Request &chunk = as_request(forwarded[0]);
    EXPECT_EQ(chunk.to_path, kBob);
    ASSERT_EQ(chunk.from_path.size(), 2u);
    EXPECT_TRUE(im::msrp::equivalent(chunk.from_path[0], b_));
    EXPECT_EQ(chunk.from_path[1], kAlice.front());
    EXPECT_NE(chunk.transaction_id, "tidA0001");
    EXPECT_EQ(chunk.continuation, Continuation::more);
    EXPECT_EQ(chunk.body->bytes, "hello ");
    EXPECT_EQ(*chunk.fields.find<ByteRange>(), (ByteRange{1, 6, 11}));
    EXPECT_EQ(chunk.fields.find<im::msrp::MessageId>()->value, "msg00001");
    EXPECT_EQ(switch_.counters().messages_out, 1u + 1u);  // A's bind went to B as well
}

TEST_F(RelaySwitchTest, PathEndingAtTheRelayContinuesWithThePeersBindPath)
{
    bound_relay_session();
    auto out = receive(kB, send("tidB0001", {b_}, kBob, "msg00002", "text/plain", "hi"));
    auto forwarded = sent_to(out, kA);
    ASSERT_EQ(forwarded.size(), 1u);
    EXPECT_EQ(as_request(forwarded[0]).to_path, kAlice);
    EXPECT_TRUE(im::msrp::equivalent(as_request(forwarded[0]).from_path[0], a_));
}

TEST_F(RelaySwitchTest, ReportsPassEndToEndWithoutResponse)
{
    bound_relay_session();
    Request report = im::msrp::make_report(send("tidA0002", {a_, kBob.front()}, kAlice, "msg00003", "text/plain", "x"),
                                           "tidR0001", 200);
    // Bob's REPORT travels back along the From-Path he received.
    report.to_path = {b_, kAlice.front()};
    report.from_path = kBob;
    auto out = receive(kB, report);
    EXPECT_TRUE(sent_to(out, kB).empty());
    auto forwarded = sent_to(out, kA);
    ASSERT_EQ(forwarded.size(), 1u);
    EXPECT_EQ(as_request(forwarded[0]).method, "REPORT");
    EXPECT_EQ(as_request(forwarded[0]).to_path, kAlice);
    EXPECT_EQ(as_request(forwarded[0]).fields.find<im::msrp::Status>()->code, 200);
}

TEST_F(RelaySwitchTest, DownstreamFailureBecomesAFailureReportToTheSender)
{
    bound_relay_session();
    auto out = receive(kA, send("tidA0003", {a_}, kAlice, "msg00004", "text/plain", "hello"));
    Request forwarded = as_request(sent_to(out, kB).at(0));
    Response refusal = im::msrp::make_response(forwarded, 415);
    auto after = receive(kB, refusal);
    auto to_alice = sent_to(after, kA);
    ASSERT_EQ(to_alice.size(), 1u);
    const Request &report = as_request(to_alice[0]);
    EXPECT_EQ(report.method, "REPORT");
    EXPECT_EQ(report.to_path, kAlice);
    EXPECT_TRUE(im::msrp::equivalent(report.from_path.at(0), a_));
    EXPECT_EQ(report.fields.find<im::msrp::Status>()->code, 415);
    EXPECT_EQ(report.fields.find<im::msrp::MessageId>()->value, "msg00004");
    EXPECT_EQ(*report.fields.find<ByteRange>(), (ByteRange{1, 5, 5}));
    EXPECT_EQ(switch_.counters().downstream_failures, 1u);
}

TEST_F(RelaySwitchTest, FailureReportNoMeansNeitherResponseNorReport)
{
    bound_relay_session();
    Request request = send("tidA0004", {a_}, kAlice, "msg00005", "text/plain", "quiet");
    request.fields.set(im::msrp::FailureReport::no);
    auto out = receive(kA, request);
    EXPECT_TRUE(sent_to(out, kA).empty());
    Request forwarded = as_request(sent_to(out, kB).at(0));
    EXPECT_TRUE(sent_to(receive(kB, im::msrp::make_response(forwarded, 500)), kA).empty());
}

TEST_F(RelaySwitchTest, RequestsForAnUnconnectedSideAreHeldUntilItBinds)
{
    RegistryError error{};
    const Session *session = registry_.create(SessionKind::relay, SteadyClock::now(), error);
    a_ = address_.uri_for(session->participants[0].id);
    b_ = address_.uri_for(session->participants[1].id);
    auto bind = receive(kA, send("binda002", {a_}, kAlice, "bindmsga"));
    EXPECT_EQ(as_response(sent_to(bind, kA).at(0)).status_code, 200);
    receive(kA, send("tidA0005", {a_}, kAlice, "msg00006", "text/plain", "first"));
    receive(kA, send("tidA0006", {a_}, kAlice, "msg00007", "text/plain", "second"));

    auto flushed = sent_to(receive(kB, send("bindb002", {b_}, kBob, "bindmsgb")), kB);
    ASSERT_EQ(flushed.size(), 3u);  // the held two, then B's own 200
    EXPECT_EQ(as_request(flushed[0]).body->bytes, "first");
    EXPECT_EQ(as_request(flushed[0]).to_path, kBob);
    EXPECT_EQ(as_request(flushed[1]).body->bytes, "second");
    EXPECT_EQ(as_response(flushed[2]).status_code, 200);
}

TEST(RelaySwitch, HeldBytesAreBoundedWith413)
{
    RelayAddress address{"127.0.0.1", 2855};
    SessionRegistry registry(seeded_random(1));
    SwitchLimits limits;
    limits.max_held_bytes = 512 + 10;  // one request's overhead plus 10 body bytes
    MsrpSwitch msrp_switch(registry, address, seeded_random(2), fixed_wall_clock, limits);
    RegistryError error{};
    auto a = address.uri_for(registry.create(SessionKind::relay, SteadyClock::now(), error)->participants[0].id);
    auto now = SteadyClock::now();
    auto ok = msrp_switch.on_frame(kA, send("tidA0007", {a}, kAlice, "msg00008", "text/plain", "12345678"), now);
    EXPECT_EQ(as_response(sent_to(ok, kA).back()).status_code, 200);
    auto refused = msrp_switch.on_frame(kA, send("tidA0008", {a}, kAlice, "msg00009", "text/plain", "123"), now);
    EXPECT_EQ(as_response(sent_to(refused, kA).at(0)).status_code, 413);
    EXPECT_EQ(msrp_switch.counters().refused, 1u);
}

TEST_F(RelaySwitchTest, ProtocolErrorsGetTheirCodes)
{
    bound_relay_session();
    // An AUTH to this relay when it offers none (no RelayAuth): 403, not 501.
    Request auth = send("tidA0009", {a_}, kAlice, "msg00010");
    auth.method = "AUTH";
    EXPECT_EQ(as_response(sent_to(receive(kA, auth), kA).at(0)).status_code, 403);
    Request other = send("tidA0010", {a_}, kAlice, "msg00011");
    other.method = "FETCH";
    EXPECT_EQ(as_response(sent_to(receive(kA, other), kA).at(0)).status_code, 501);

    auto unknown = receive(kC, send("tidC0001", {uri("msrp://127.0.0.1:2855/nosuchleg;tcp")}, kAlice, "msg00012",
                                    "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(unknown, kC).at(0)).status_code, 481);
    // Alice's side is bound to kA; a second connection may not use it.
    auto stolen = receive(kC, send("tidC0002", {a_}, kAlice, "msg00013", "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(stolen, kC).at(0)).status_code, 506);
    EXPECT_TRUE(sent_to(stolen, kB).empty());

    EXPECT_EQ(switch_.counters().unknown_method, 1u);
    EXPECT_EQ(switch_.counters().no_session, 1u);
    EXPECT_EQ(switch_.counters().session_in_use, 1u);
}

TEST_F(RelaySwitchTest, ClosedConnectionUnbindsAndAnotherMayBind)
{
    bound_relay_session();
    switch_.on_connection_closed(kA);
    auto out = receive(kC, send("tidC0003", {a_}, kAlice, "msg00014", "text/plain", "again"));
    EXPECT_EQ(as_response(sent_to(out, kC).at(0)).status_code, 200);
    EXPECT_EQ(sent_to(out, kB).size(), 1u);
}

class ConferenceSwitchTest : public RelaySwitchTest {
protected:
    void SetUp() override
    {
        RegistryError error{};
        conference_ = registry_.create(SessionKind::conference, SteadyClock::now(), error)->id;
    }

    im::msrp::Uri join(std::string identity, ConnectionId connection, std::vector<std::string> accept = {},
                       bool anonymous = false)
    {
        RegistryError error{};
        auto *participant = registry_.add_participant(conference_, std::move(identity), std::move(accept), anonymous, error);
        im::msrp::Uri uri = address_.uri_for(participant->id);
        peer_[connection] = path("msrp://192.0.2.9:" + std::to_string(7000 + connection) + "/peer" +
                                 std::to_string(connection) + ";tcp");
        receive(connection, send("bind" + std::to_string(connection) + "xx", {uri}, peer_[connection], "bindmsg1"));
        return uri;
    }

    std::string conference_;
    std::map<ConnectionId, im::msrp::Path> peer_;
};

TEST_F(ConferenceSwitchTest, EveryOtherParticipantGetsTheMessageInCpimWithTheSendersIdentity)
{
    auto alice = join("sip:alice@example.com", kA);
    join("Bob <sip:bob@example.com>", kB);
    join("sip:carol@example.com", kC);
    auto out = receive(kA, send("tidA0100", {alice}, peer_[kA], "msg00100", "text/plain", "hi all"));

    EXPECT_EQ(as_response(sent_to(out, kA).at(0)).status_code, 200);
    EXPECT_EQ(sent_to(out, kA).size(), 1u);  // nothing of its own comes back
    for (ConnectionId receiver : {kB, kC}) {
        auto frames = sent_to(out, receiver);
        ASSERT_EQ(frames.size(), 1u);
        const Request &copy = as_request(frames[0]);
        EXPECT_EQ(copy.to_path, peer_[receiver]);
        EXPECT_EQ(copy.body->content_type, "message/cpim");
        auto cpim = parse_cpim(copy.body->bytes);
        ASSERT_TRUE(cpim);
        EXPECT_EQ(cpim->headers.at(0).name, "From");
        EXPECT_EQ(cpim->headers.at(0).value, "<sip:alice@example.com>");
        EXPECT_EQ(cpim->payload_type(), "text/plain");
        EXPECT_TRUE(copy.body->bytes.ends_with("\r\n\r\nhi all"));
        EXPECT_NE(copy.body->bytes.find("DateTime: 2026-01-01T00:00:00Z\r\n"), std::string::npos);
    }
    auto bob_copy = as_request(sent_to(out, kB).at(0)).body->bytes;
    EXPECT_NE(bob_copy.find("To: Bob <sip:bob@example.com>\r\n"), std::string::npos);
}

TEST_F(ConferenceSwitchTest, AnonymousParticipantsSpeakAsAnonymous)
{
    join("sip:alice@example.com", kA);
    auto secret = join("sip:secret@example.com", kB, {}, true);
    auto out = receive(kB, send("tidB0100", {secret}, peer_[kB], "msg00101", "text/plain", "boo"));
    auto body = as_request(sent_to(out, kA).at(0)).body->bytes;
    EXPECT_TRUE(body.starts_with("From: Anonymous <sip:anonymous@anonymous.invalid>\r\n"));
    EXPECT_EQ(body.find("secret"), std::string::npos);
}

TEST_F(ConferenceSwitchTest, ParticipantsCpimIsRestampedSoNobodySpoofsAnIdentity)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    std::string spoof = "From: <sip:ceo@example.com>\r\nNS: x <urn:x>\r\nx.Note: kept\r\n\r\nContent-Type: text/plain\r\n\r\nwire money";
    auto out = receive(kA, send("tidA0101", {alice}, peer_[kA], "msg00102", "message/cpim", spoof));
    auto body = as_request(sent_to(out, kB).at(0)).body->bytes;
    EXPECT_EQ(body.find("ceo"), std::string::npos);
    EXPECT_TRUE(body.starts_with("From: <sip:alice@example.com>\r\n"));
    EXPECT_NE(body.find("x.Note: kept\r\n"), std::string::npos);
    EXPECT_TRUE(body.ends_with("\r\n\r\nContent-Type: text/plain\r\n\r\nwire money"));
}

TEST_F(ConferenceSwitchTest, ChunksAreSwitchedAsTheyArriveBehindTheCpimHeader)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    std::string payload(200 * 1024, 'z');
    payload[0] = 'a';
    payload.back() = 'o';
    Request first = send("tidA0102", {alice}, peer_[kA], "msg00103", "text/plain", payload.substr(0, 100 * 1024),
                         ByteRange{1, 100 * 1024, payload.size()}, Continuation::more);
    first.fields.set(im::msrp::SuccessReport::yes);
    auto one = receive(kA, first);

    // The first chunk is on its way before the second arrives.
    auto to_bob = sent_to(one, kB);
    ASSERT_EQ(to_bob.size(), 1u);
    const Request head_chunk = as_request(to_bob[0]);
    std::string prefix = "From: <sip:alice@example.com>\r\nTo: <sip:bob@example.com>\r\nDateTime: 2026-01-01T00:00:00Z\r\n"
                         "\r\nContent-Type: text/plain\r\n\r\n";
    EXPECT_EQ(head_chunk.body->bytes, prefix + payload.substr(0, 100 * 1024));
    EXPECT_EQ(head_chunk.continuation, Continuation::more);
    EXPECT_EQ(*head_chunk.fields.find<ByteRange>(),
              (ByteRange{1, prefix.size() + 100 * 1024, prefix.size() + payload.size()}));
    auto to_alice = sent_to(one, kA);
    ASSERT_EQ(to_alice.size(), 2u);  // the 200, then a Success REPORT for this chunk
    EXPECT_EQ(*as_request(to_alice[1]).fields.find<ByteRange>(), (ByteRange{1, 100 * 1024, payload.size()}));

    Request last = send("tidA0103", {alice}, peer_[kA], "msg00103", "text/plain", payload.substr(100 * 1024),
                        ByteRange{100 * 1024 + 1, payload.size(), payload.size()});
    auto two = receive(kA, last);
    auto tail = sent_to(two, kB);
    ASSERT_EQ(tail.size(), 1u);
    const Request &tail_chunk = as_request(tail[0]);
    EXPECT_EQ(tail_chunk.fields.find<im::msrp::MessageId>()->value,
              head_chunk.fields.find<im::msrp::MessageId>()->value);
    EXPECT_EQ(*tail_chunk.fields.find<ByteRange>(),
              (ByteRange{prefix.size() + 100 * 1024 + 1, prefix.size() + payload.size(), prefix.size() + payload.size()}));
    EXPECT_EQ(tail_chunk.continuation, Continuation::complete);
    EXPECT_EQ(head_chunk.body->bytes + tail_chunk.body->bytes, prefix + payload);
    EXPECT_TRUE(registry_.find(conference_)->participants[0].switching.empty());
}

TEST_F(ConferenceSwitchTest, ReceiversAreFixedAtTheFirstChunk)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    receive(kA, send("tidA0110", {alice}, peer_[kA], "msg00111", "text/plain", "part one ", ByteRange{1, 9, 17},
                     Continuation::more));
    join("sip:carol@example.com", kC);
    auto rest = receive(kA, send("tidA0111", {alice}, peer_[kA], "msg00111", "text/plain", "part two",
                                 ByteRange{10, 17, 17}));
    EXPECT_EQ(sent_to(rest, kB).size(), 1u);
    EXPECT_TRUE(sent_to(rest, kC).empty());  // a half message would be useless to carol
}

TEST_F(ConferenceSwitchTest, CpimMessagesAreReassembledBeforeRestamping)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    std::string cpim = "From: <sip:x@example.com>\r\n\r\nContent-Type: text/plain\r\n\r\nhello";
    auto first = receive(kA, send("tidA0112", {alice}, peer_[kA], "msg00112", "message/cpim", cpim.substr(0, 10),
                                  ByteRange{1, 10, cpim.size()}, Continuation::more));
    EXPECT_TRUE(sent_to(first, kB).empty());
    auto last = receive(kA, send("tidA0113", {alice}, peer_[kA], "msg00112", "message/cpim", cpim.substr(10),
                                 ByteRange{11, cpim.size(), cpim.size()}));
    auto to_bob = sent_to(last, kB);
    ASSERT_EQ(to_bob.size(), 1u);
    EXPECT_TRUE(as_request(to_bob[0]).body->bytes.starts_with("From: <sip:alice@example.com>\r\n"));
    EXPECT_TRUE(as_request(to_bob[0]).body->bytes.ends_with("\r\n\r\nhello"));
}

TEST_F(ConferenceSwitchTest, AcceptTypesFilterAnd415WhenNobodyAccepts)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB, {"text/plain"});
    join("sip:carol@example.com", kC, {"text/plain", "application/im-iscomposing+xml"});

    auto composing = receive(kA, send("tidA0104", {alice}, peer_[kA], "msg00104", "application/im-iscomposing+xml",
                                      "<isComposing/>"));
    EXPECT_TRUE(sent_to(composing, kB).empty());
    EXPECT_EQ(sent_to(composing, kC).size(), 1u);

    auto image = receive(kA, send("tidA0105", {alice}, peer_[kA], "msg00105", "image/png", "PNG"));
    EXPECT_EQ(as_response(sent_to(image, kA).at(0)).status_code, 415);
    EXPECT_TRUE(sent_to(image, kB).empty());
    EXPECT_TRUE(sent_to(image, kC).empty());
    EXPECT_EQ(switch_.counters().unsupported_media, 1u);
}

TEST_F(ConferenceSwitchTest, JoinAndLeaveChangeTheFanOutAtOnce)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    auto before = receive(kA, send("tidA0106", {alice}, peer_[kA], "msg00106", "text/plain", "one"));
    EXPECT_TRUE(sent_to(before, kC).empty());

    join("sip:carol@example.com", kC);
    auto during = receive(kA, send("tidA0107", {alice}, peer_[kA], "msg00107", "text/plain", "two"));
    EXPECT_EQ(sent_to(during, kB).size(), 1u);
    EXPECT_EQ(sent_to(during, kC).size(), 1u);

    auto &participants = registry_.find(conference_)->participants;
    std::string bob_id = participants[1].id;
    ASSERT_EQ(registry_.remove_participant(conference_, bob_id), std::nullopt);
    auto after = receive(kA, send("tidA0108", {alice}, peer_[kA], "msg00108", "text/plain", "three"));
    EXPECT_TRUE(sent_to(after, kB).empty());
    EXPECT_EQ(sent_to(after, kC).size(), 1u);
    // Bob's URI is gone: 481.
    auto bob = receive(kB, send("tidB0101", {address_.uri_for(bob_id)}, peer_[kB], "msg00109", "text/plain", "hey"));
    EXPECT_EQ(as_response(sent_to(bob, kB).at(0)).status_code, 481);
}

TEST_F(ConferenceSwitchTest, ResponsesFromReceiversAreConsumed)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    auto out = receive(kA, send("tidA0109", {alice}, peer_[kA], "msg00110", "text/plain", "x"));
    Request copy = as_request(sent_to(out, kB).at(0));
    EXPECT_TRUE(receive(kB, im::msrp::make_response(copy, 200)).empty());
    EXPECT_TRUE(receive(kB, im::msrp::make_response(copy, 200)).empty());  // a duplicate is ignored
}

}  // namespace

namespace {

TEST_F(RelaySwitchTest, OneConnectionCarriesSeveralSessions)
{
    RegistryError error{};
    const Session *first = registry_.create(SessionKind::relay, SteadyClock::now(), error);
    auto first_a = address_.uri_for(first->participants[0].id);
    auto first_b = address_.uri_for(first->participants[1].id);
    const Session *second = registry_.create(SessionKind::relay, SteadyClock::now(), error);
    auto second_a = address_.uri_for(second->participants[0].id);
    auto second_b = address_.uri_for(second->participants[1].id);
    // Alice's client uses one connection (kA) for both sessions; Bob and Carol one each.
    receive(kB, send("bindb003", {first_b}, kBob, "bindmsgb"));
    receive(kC, send("bindc003", {second_b}, path("msrp://192.0.2.3:7003/carol1;tcp"), "bindmsgc"));
    receive(kA, send("binda003", {first_a}, kAlice, "bindmsga"));
    receive(kA, send("binda004", {second_a}, path("msrp://192.0.2.1:7001/alice2;tcp"), "bindmsgd"));

    auto to_bob = receive(kA, send("tidA0200", {first_a}, kAlice, "msg00200", "text/plain", "for bob"));
    auto to_carol = receive(kA, send("tidA0201", {second_a}, path("msrp://192.0.2.1:7001/alice2;tcp"), "msg00201",
                                     "text/plain", "for carol"));
    ASSERT_EQ(sent_to(to_bob, kB).size(), 1u);
    EXPECT_TRUE(sent_to(to_bob, kC).empty());
    EXPECT_EQ(as_request(sent_to(to_bob, kB)[0]).body->bytes, "for bob");
    ASSERT_EQ(sent_to(to_carol, kC).size(), 1u);
    EXPECT_TRUE(sent_to(to_carol, kB).empty());
    // Replies from both far ends come back on Alice's one connection.
    auto from_carol = receive(kC, send("tidC0200", {second_b}, path("msrp://192.0.2.3:7003/carol1;tcp"), "msg00202",
                                       "text/plain", "hi alice"));
    auto frames = sent_to(from_carol, kA);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(as_request(frames[0]).to_path, path("msrp://192.0.2.1:7001/alice2;tcp"));
}

}  // namespace

namespace {

// The 408 REPORTs about one Message-ID among what the switch sent to a connection.
std::vector<Request> timeouts_about(const std::vector<Outgoing> &out, ConnectionId to, std::string_view message_id)
{
    std::vector<Request> reports;
    for (const auto &frame : sent_to(out, to)) {
        const Request &report = as_request(frame);
        if (report.fields.find<im::msrp::MessageId>()->value == message_id &&
            report.fields.find<im::msrp::Status>()->code == 408)
            reports.push_back(report);
    }
    return reports;
}

TEST_F(RelaySwitchTest, UnansweredForwardedSendsFailWith408After30Seconds)
{
    bound_relay_session();
    auto start = SteadyClock::now();
    auto out = switch_.on_frame(kA, send("tidA0300", {a_}, kAlice, "msg00300", "text/plain", "anyone?"), start);
    ASSERT_EQ(sent_to(out, kB).size(), 1u);
    EXPECT_TRUE(timeouts_about(switch_.expire_transactions(start + std::chrono::seconds(29)), kA, "msg00300").empty());
    auto expired = timeouts_about(switch_.expire_transactions(start + std::chrono::seconds(30)), kA, "msg00300");
    ASSERT_EQ(expired.size(), 1u);
    EXPECT_EQ(expired[0].method, "REPORT");
    EXPECT_EQ(expired[0].to_path, kAlice);
    EXPECT_GE(switch_.counters().transaction_timeouts, 1u);
    EXPECT_TRUE(switch_.expire_transactions(start + std::chrono::seconds(60)).empty());
}

TEST_F(RelaySwitchTest, ResponsesOutOfOrderAreMatchedAndTheRestStillTimesOut)
{
    bound_relay_session();
    auto start = SteadyClock::now();
    std::vector<Request> forwarded;
    for (int i = 0; i < 4; ++i) {
        std::string tid = "tidA031" + std::to_string(i);
        std::string id = "msg0031" + std::to_string(i);
        auto out = switch_.on_frame(kA, send(tid, {a_}, kAlice, id, "text/plain", "hello"), start);
        forwarded.push_back(as_request(sent_to(out, kB).at(0)));
    }
    // The third answered first (415: reported), then the first (200), then
    // the third again (already answered: ignored). The second and fourth stay.
    auto after = receive(kB, im::msrp::make_response(forwarded[2], 415));
    ASSERT_EQ(sent_to(after, kA).size(), 1u);
    EXPECT_EQ(as_request(sent_to(after, kA)[0]).fields.find<im::msrp::MessageId>()->value, "msg00312");
    EXPECT_TRUE(receive(kB, im::msrp::make_response(forwarded[0], 200)).empty());
    EXPECT_TRUE(receive(kB, im::msrp::make_response(forwarded[2], 415)).empty());
    auto expired = switch_.expire_transactions(start + std::chrono::seconds(30));
    EXPECT_TRUE(timeouts_about(expired, kA, "msg00310").empty());
    EXPECT_EQ(timeouts_about(expired, kA, "msg00311").size(), 1u);
    EXPECT_TRUE(timeouts_about(expired, kA, "msg00312").empty());
    EXPECT_EQ(timeouts_about(expired, kA, "msg00313").size(), 1u);
    EXPECT_TRUE(switch_.expire_transactions(start + std::chrono::seconds(60)).empty());
    // The table is empty again: a new SEND is answered in order and never times out.
    auto out = switch_.on_frame(kA, send("tidA0319", {a_}, kAlice, "msg00319", "text/plain", "again"), start);
    receive(kB, im::msrp::make_response(as_request(sent_to(out, kB).at(0)), 200));
    EXPECT_TRUE(switch_.expire_transactions(start + std::chrono::seconds(90)).empty());
}

TEST_F(RelaySwitchTest, AnsweredSendsDoNotTimeOut)
{
    bound_relay_session();
    auto start = SteadyClock::now();
    auto out = switch_.on_frame(kA, send("tidA0301", {a_}, kAlice, "msg00301", "text/plain", "hello"), start);
    Request forwarded = as_request(sent_to(out, kB).at(0));
    receive(kB, im::msrp::make_response(forwarded, 200));
    EXPECT_TRUE(timeouts_about(switch_.expire_transactions(start + std::chrono::seconds(31)), kA, "msg00301").empty());
}

}  // namespace

namespace {

TEST_F(ConferenceSwitchTest, ReassembledCpimMessagesOverOneMegabyteAreRefusedWith413)
{
    auto alice = join("sip:alice@example.com", kA);
    join("sip:bob@example.com", kB);
    std::uint64_t too_big = 1024 * 1024 + 1;
    auto out = receive(kA, send("tidA0400", {alice}, peer_[kA], "msg00400", "message/cpim", std::string(1000, 'x'),
                                ByteRange{1, 1000, too_big}, Continuation::more));
    EXPECT_EQ(as_response(sent_to(out, kA).at(0)).status_code, 413);
    EXPECT_TRUE(sent_to(out, kB).empty());
    EXPECT_EQ(switch_.counters().refused, 1u);
}

}  // namespace

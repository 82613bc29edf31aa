// Endpoint sessions and conference recorders: what the switch stores, when
// it acknowledges, and the stored messages it sends back.
#include <gtest/gtest.h>

#include <chrono>

#include "im/msrp/encapsulation.hpp"
#include "im/msrp/replies.hpp"
#include "im/xml/multipart.hpp"
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
const im::msrp::Path kAlice = path("msrp://192.0.2.1:7001/alice1;tcp");
const im::msrp::Path kBob = path("msrp://192.0.2.2:7002/bob1;tcp");

std::chrono::system_clock::time_point fixed_wall_clock()
{
    return std::chrono::system_clock::from_time_t(1767225600) + std::chrono::milliseconds(250);
}

std::vector<im::msrp::Frame> sent_to(const std::vector<Outgoing> &out, ConnectionId connection)
{
    std::string bytes;
    for (const Outgoing &outgoing : out)
        if (outgoing.connection == connection) bytes += outgoing.wire();
    return frames_of(bytes);
}

class RelayStoreTest : public ::testing::Test {
protected:
    RelayStoreTest() : switch_(registry_, address_, seeded_random(7), fixed_wall_clock) { switch_.set_store(&store_); }

    std::vector<Outgoing> receive(ConnectionId from, im::msrp::Frame frame)
    {
        return switch_.on_frame(from, std::move(frame), SteadyClock::now());
    }

    Session &endpoint(std::string owner)
    {
        RegistryError error{};
        const Session *created = registry_.create(SessionKind::endpoint, SteadyClock::now(), error);
        Session &session = *registry_.find(created->id);
        session.owner = std::move(owner);
        peer_ = address_.uri_for(session.participants[0].id);
        return session;
    }

    RelayAddress address_{"127.0.0.1", 2855};
    SessionRegistry registry_{seeded_random(1)};
    im::msrp::MemoryMessageStore store_;
    MsrpSwitch switch_;
    im::msrp::Uri peer_;
};

TEST_F(RelayStoreTest, EndpointStoresAChunkedMessageWholeBeforeAnsweringItsLastChunk)
{
    Session &session = endpoint("sip:bob@example.com");
    auto bind = receive(kA, send("bind0001", {peer_}, kAlice, "bindmsg1"));
    EXPECT_EQ(as_response(sent_to(bind, kA).at(0)).status_code, 200);

    Request first = send("chunk001", {peer_}, kAlice, "file0001", "image/png", "abc", ByteRange{1, 3, 6}, Continuation::more);
    first.fields.add("Content-Disposition", "attachment; filename=\"x.png\"");
    auto out1 = receive(kA, first);
    EXPECT_EQ(as_response(sent_to(out1, kA).at(0)).status_code, 200);
    EXPECT_TRUE(store_.rows().empty()) << "nothing is stored before the message is complete";

    Request last = send("chunk002", {peer_}, kAlice, "file0001", "image/png", "def", ByteRange{4, 6, 6});
    last.fields.set(im::msrp::SuccessReport::yes);
    auto out2 = receive(kA, last);
    ASSERT_EQ(store_.rows().size(), 1u);
    const im::msrp::StoredMessage &row = store_.rows()[0];
    EXPECT_EQ(row.session, session.id);
    EXPECT_EQ(row.owner, "sip:bob@example.com");
    EXPECT_EQ(row.role, "endpoint");
    EXPECT_EQ(row.kind, "msrp");
    EXPECT_EQ(row.sender, "msrp://192.0.2.1:7001/alice1;tcp");
    EXPECT_EQ(row.message_id, "file0001");
    EXPECT_EQ(row.transaction_id, "chunk001");
    EXPECT_EQ(row.headers, "To-Path: " + im::msrp::to_string(peer_) + "\r\nFrom-Path: msrp://192.0.2.1:7001/alice1;tcp\r\n"
                           "Message-ID: file0001\r\nContent-Disposition: attachment; filename=\"x.png\"\r\n");
    EXPECT_EQ(row.content_type, "image/png");
    EXPECT_EQ(row.body, "abcdef");
    EXPECT_EQ(row.received_at_ms, 1767225600250);
    auto frames = sent_to(out2, kA);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(as_response(frames[0]).status_code, 200);
    const Request &report = as_request(frames[1]);
    EXPECT_EQ(report.method, "REPORT");
    EXPECT_EQ(*report.fields.find<ByteRange>(), (ByteRange{1, 6, 6}));
    EXPECT_EQ(session.stored, 1u);
    EXPECT_EQ(switch_.counters().stored, 1u);
}

TEST_F(RelayStoreTest, EndpointAnswers500WhenTheStoreFailsAnd415ForTypesItDoesNotTake)
{
    Session &session = endpoint("sip:bob@example.com");
    session.participants[0].accept_types = {"text/*"};
    receive(kA, send("bind0001", {peer_}, kAlice, "bindmsg1"));
    store_.fail_next_add = "disk full";
    auto failed = receive(kA, send("text0001", {peer_}, kAlice, "text0001", "text/plain", "hello"));
    EXPECT_EQ(as_response(sent_to(failed, kA).at(0)).status_code, kStatusStoreFailed);
    EXPECT_EQ(sent_to(failed, kA).size(), 1u);
    EXPECT_EQ(switch_.counters().store_failures, 1u);
    auto refused = receive(kA, send("png00001", {peer_}, kAlice, "png00001", "image/png", "x"));
    EXPECT_EQ(as_response(sent_to(refused, kA).at(0)).status_code, 415);
    EXPECT_TRUE(store_.rows().empty());
}

TEST_F(RelayStoreTest, StoredMessagesGoToThePeerEncapsulatedAndWaitForItToBind)
{
    Session &session = endpoint("sip:bob@example.com");
    im::msrp::StoredMessage stored;
    stored.transaction_id = "orig0001";
    stored.message_id = "orig-message-1";
    stored.headers = "To-Path: msrp://127.0.0.1:2855/x;tcp\r\nFrom-Path: msrp://192.0.2.9:1/y;tcp\r\nMessage-ID: orig-message-1\r\n";
    stored.content_type = "text/plain";
    stored.body = "kept for you";
    stored.received_at_ms = 1014296523000;
    auto early = switch_.send_stored(session, {stored}, SteadyClock::now());
    EXPECT_TRUE(early.empty()) << "held until the peer connects";

    auto bind = receive(kB, send("bind0002", {peer_}, kBob, "bindmsg2"));
    auto frames = sent_to(bind, kB);
    ASSERT_EQ(frames.size(), 2u);
    // What was held goes out as the peer binds, then the bind's own 200.
    EXPECT_EQ(as_response(frames[1]).status_code, 200);
    const Request &push = as_request(frames[0]);
    EXPECT_EQ(push.to_path, kBob);
    EXPECT_EQ(push.from_path, im::msrp::Path{peer_});
    ASSERT_TRUE(push.body);
    auto parts = im::xml::split_multipart(push.body->content_type, push.body->bytes);
    ASSERT_TRUE(parts.ok());
    ASSERT_EQ(parts.value().size(), 1u);
    EXPECT_EQ(parts.value()[0].media_type(), "message/msrp");
    EXPECT_EQ(parts.value()[0].body, im::msrp::rebuild_send(stored));
    EXPECT_EQ(session.pushed, 1u);

    // Bound now: the next one goes out at once.
    stored.kind = "sip";
    stored.headers = "MESSAGE sip:bob@example.com SIP/2.0\r\nCall-ID: c1\r\n";
    auto now = switch_.send_stored(session, {stored}, SteadyClock::now());
    auto pushed = sent_to(now, kB);
    ASSERT_EQ(pushed.size(), 1u);
    EXPECT_EQ(as_request(pushed[0]).body->content_type, "message/sip");
}

TEST_F(RelayStoreTest, RecorderStoresEveryConferenceMessageInOrderWithTheSendersIdentity)
{
    RegistryError error{};
    const Session *created = registry_.create(SessionKind::conference, SteadyClock::now(), error);
    std::string id = created->id;
    auto alice = address_.uri_for(registry_.add_participant(id, "sip:alice@example.com", {}, false, error)->id);
    auto bob = address_.uri_for(registry_.add_participant(id, "sip:bob@example.com", {}, true, error)->id);
    const Participant *recorder = registry_.add_recorder(id, "sip:history-of-alice@example.com", error);
    ASSERT_NE(recorder, nullptr);
    auto recorder_uri = address_.uri_for(recorder->id);
    receive(kA, send("binda001", {alice}, kAlice, "bindmsga"));
    receive(kB, send("bindb001", {bob}, kBob, "bindmsgb"));

    // A chunked plain message from alice, then a CPIM one from (anonymous) bob.
    auto chunk1 = receive(kA, send("a0000001", {alice}, kAlice, "amsg0001", "text/plain", "hel", ByteRange{1, 3, 5},
                                   Continuation::more));
    EXPECT_TRUE(store_.rows().empty());
    EXPECT_EQ(sent_to(chunk1, kB).size(), 1u) << "chunks are still switched as they arrive";
    receive(kA, send("a0000002", {alice}, kAlice, "amsg0001", "text/plain", "lo", ByteRange{4, 5, 5}));
    std::string cpim = wrap_cpim({"sip:bob@example.com", "", "2026-01-01T00:00:00Z"}, "text/plain", "hi alice");
    auto from_bob = receive(kB, send("b0000001", {bob}, kBob, "bmsg0001", "message/cpim", cpim));
    EXPECT_EQ(as_response(sent_to(from_bob, kB).at(0)).status_code, 200);

    ASSERT_EQ(store_.rows().size(), 2u);
    EXPECT_EQ(store_.rows()[0].role, "recorder");
    EXPECT_EQ(store_.rows()[0].owner, "sip:history-of-alice@example.com");
    EXPECT_EQ(store_.rows()[0].session, id);
    EXPECT_EQ(store_.rows()[0].sender, "sip:alice@example.com");
    EXPECT_EQ(store_.rows()[0].body, "hello");
    EXPECT_EQ(store_.rows()[0].message_id, "amsg0001");
    EXPECT_EQ(store_.rows()[1].sender, std::string(kAnonymousIdentity)) << "stored as the others saw it";
    EXPECT_EQ(store_.rows()[1].content_type, "message/cpim");
    EXPECT_EQ(store_.rows()[1].body, cpim);

    // Nobody can speak as the recorder; a failing store refuses the message.
    auto spoof = receive(kA, send("spoof001", {recorder_uri}, kAlice, "spoof001", "text/plain", "x"));
    EXPECT_EQ(as_response(sent_to(spoof, kA).at(0)).status_code, 481);
    store_.fail_next_add = "disk full";
    auto refused = receive(kA, send("a0000003", {alice}, kAlice, "amsg0003", "text/plain", "lost?"));
    EXPECT_EQ(as_response(sent_to(refused, kA).at(0)).status_code, kStatusStoreFailed);
    EXPECT_TRUE(sent_to(refused, kB).empty()) << "not recorded, not switched";
}

}  // namespace

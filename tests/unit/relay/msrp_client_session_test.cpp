#include <gtest/gtest.h>

#include <map>

#include "im/msrp/parser.hpp"
#include "im/msrp/replies.hpp"
#include "msrp_relay/msrp_client_session.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "relay_test_support.hpp"

namespace {

using namespace im::msrp_relay;
using namespace im::msrp_relay::testing;

std::chrono::system_clock::time_point fixed_wall_clock() { return std::chrono::system_clock::from_time_t(0); }

// Two or more client sessions and the switch, with the bytes between them
// carried by hand: the whole relay minus its sockets.
class Loopback {
public:
    Loopback() : switch_(registry_, address_, seeded_random(5), fixed_wall_clock) {}

    MsrpClientSession &connect(ConnectionId id, std::string_view relay_path, ClientOptions options = {})
    {
        options.to_path = path(relay_path);
        options.self = uri("msrp://192.0.2.1:" + std::to_string(4000 + id) + "/c" + std::to_string(id) + "xy;tcp");
        auto [it, inserted] = clients_.try_emplace(id, options, seeded_random(100 + id));
        to_relay_[id] += it->second.binding_request();
        return it->second;
    }

    // Moves bytes until nothing moves; returns the clients' output lines.
    std::vector<std::string> run()
    {
        std::vector<std::string> lines;
        for (bool moved = true; moved;) {
            moved = false;
            for (auto &[id, client] : clients_) {
                while (auto chunk = client.next_chunk()) to_relay_[id] += *chunk;
                if (!to_relay_[id].empty()) {
                    moved = true;
                    std::vector<im::msrp::Frame> frames;
                    EXPECT_TRUE(relay_parsers_[id].feed(std::exchange(to_relay_[id], {}), frames));
                    for (auto &frame : frames)
                        for (Outgoing &out : switch_.on_frame(id, std::move(frame), SteadyClock::now()))
                            to_client_[out.connection] += out.wire();
                }
                if (!to_client_[id].empty()) {
                    moved = true;
                    std::vector<im::msrp::Frame> frames;
                    EXPECT_TRUE(client_parsers_[id].feed(std::exchange(to_client_[id], {}), frames));
                    for (auto &frame : frames) {
                        ClientReaction reaction = client.on_frame(std::move(frame));
                        to_relay_[id] += reaction.bytes;
                        for (auto &line : reaction.lines) lines.push_back(std::to_string(id) + ": " + line);
                        for (auto &message : reaction.received) received_[id].push_back(std::move(message));
                    }
                }
            }
        }
        return lines;
    }

    RelayAddress address_{"127.0.0.1", 2855};
    SessionRegistry registry_{seeded_random(4)};
    MsrpSwitch switch_;
    std::map<ConnectionId, MsrpClientSession> clients_;
    std::map<ConnectionId, std::string> to_relay_, to_client_;
    std::map<ConnectionId, im::msrp::Parser> relay_parsers_, client_parsers_;
    std::map<ConnectionId, std::vector<ReceivedMessage>> received_;
};

TEST(RelayClientSession, ChunkedFileThroughARelaySessionArrivesWholeWithASuccessReport)
{
    Loopback net;
    RegistryError error{};
    const Session *session = net.registry_.create(SessionKind::relay, SteadyClock::now(), error);
    std::string a = net.address_.path_for(session->participants[0].id);
    std::string b = net.address_.path_for(session->participants[1].id);

    MsrpClientSession &bob = net.connect(2, b);
    net.run();
    ASSERT_TRUE(bob.bound());
    ClientOptions options;
    options.chunk_size = 16 * 1024;
    options.success_report = true;
    MsrpClientSession &alice = net.connect(1, a, options);
    std::string file;
    for (int i = 0; i < 100 * 1024; ++i) file.push_back(static_cast<char>(i * 7 % 256));
    std::string id = alice.queue("application/octet-stream", file);
    auto lines = net.run();

    EXPECT_TRUE(alice.settled());
    EXPECT_FALSE(alice.failed());
    ASSERT_EQ(net.received_[2].size(), 1u);
    EXPECT_EQ(net.received_[2][0].payload, file);
    EXPECT_EQ(net.received_[2][0].message_id, id);
    EXPECT_NE(std::find(lines.begin(), lines.end(),
                        "1: report message-id=" + id + " status=200 byte-range=1-102400/102400"),
              lines.end());
    EXPECT_NE(std::find(lines.begin(), lines.end(), "1: sent message-id=" + id + " bytes=102400"), lines.end());
}

TEST(RelayClientSession, ConferenceMessagesAreUnwrappedWithTheirSender)
{
    Loopback net;
    RegistryError error{};
    std::string conference = net.registry_.create(SessionKind::conference, SteadyClock::now(), error)->id;
    std::string alice = net.address_.path_for(
        net.registry_.add_participant(conference, "sip:alice@example.com", {}, false, error)->id);
    std::string bob = net.address_.path_for(
        net.registry_.add_participant(conference, "sip:bob@example.com", {}, false, error)->id);
    net.connect(2, bob);
    MsrpClientSession &sender = net.connect(1, alice);
    net.run();
    sender.queue("text/plain", "hello\nthere");
    auto lines = net.run();
    ASSERT_EQ(net.received_[2].size(), 1u);
    EXPECT_EQ(net.received_[2][0].from, "<sip:alice@example.com>");
    EXPECT_EQ(net.received_[2][0].content_type, "text/plain");
    EXPECT_EQ(net.received_[2][0].payload, "hello\nthere");
    bool printed = false;
    for (const auto &line : lines)
        printed = printed || (line.starts_with("2: message from=<sip:alice@example.com> content-type=text/plain bytes=11 ") &&
                              line.ends_with(" text=hello\\nthere"));
    EXPECT_TRUE(printed);
}

TEST(RelayClientSession, RefusedBindAndRefusedChunksAreFailures)
{
    Loopback net;
    MsrpClientSession &lost = net.connect(1, "msrp://127.0.0.1:2855/nosuchsession;tcp");
    auto lines = net.run();
    EXPECT_FALSE(lost.bound());
    EXPECT_TRUE(lost.failed());
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines[0], "1: bind-failed 481 Session Does Not Exist");
}

// RFC 4976 5.1 against a scripted relay: AUTH, the Digest challenge
// answered once, the Use-Path put in front of the far end's path.
TEST(RelayClientSession, AuthenticatesToItsOwnRelayAndPutsTheUsePathInFront)
{
    ClientOptions options;
    options.to_path = path("msrp://192.0.2.9:2855/far1;tcp");
    options.self = uri("msrp://192.0.2.1:4001/me1;tcp");
    options.relay = uri("msrp://relay.example.com:2855;tcp");
    options.credentials = DigestCredentials{"alice", "wonderland"};
    MsrpClientSession client(options, seeded_random(3));
    client.queue("text/plain", "hi");

    auto first = frames_of(client.binding_request());
    ASSERT_EQ(first.size(), 1u);
    const auto &auth = as_request(first[0]);
    EXPECT_EQ(auth.method, "AUTH");
    EXPECT_EQ(auth.to_path, path("msrp://relay.example.com:2855;tcp"));
    EXPECT_EQ(auth.from_path, path("msrp://192.0.2.1:4001/me1;tcp"));
    EXPECT_EQ(auth.fields.find_header("Authorization"), nullptr);
    EXPECT_FALSE(client.next_chunk()) << "nothing is sent before the relay accepted AUTH";

    im::msrp::Response challenge = im::msrp::make_response(auth, im::msrp::kStatusUnauthorized);
    challenge.fields.add("WWW-Authenticate", R"(Digest realm="example.com", nonce="abc", qop="auth")");
    ClientReaction answered = client.on_frame(challenge);
    auto second = frames_of(answered.bytes);
    ASSERT_EQ(second.size(), 1u);
    const auto &auth2 = as_request(second[0]);
    EXPECT_EQ(auth2.method, "AUTH");
    EXPECT_NE(auth2.transaction_id, auth.transaction_id);
    const std::string *authorization = auth2.fields.find_header("Authorization");
    ASSERT_NE(authorization, nullptr);
    EXPECT_NE(authorization->find(R"(username="alice", realm="example.com", nonce="abc", uri="msrp://relay.example.com:2855;tcp")"),
              std::string::npos) << *authorization;
    EXPECT_NE(authorization->find("qop=auth, nc=00000001"), std::string::npos);

    im::msrp::Response accepted = im::msrp::make_response(auth2, im::msrp::kStatusOk);
    accepted.fields.add("Use-Path", "msrp://relay.example.com:2855/s123;tcp");
    accepted.fields.add("Expires", "600");
    ClientReaction bound = client.on_frame(accepted);
    EXPECT_EQ(bound.lines, std::vector<std::string>{"authenticated use-path=msrp://relay.example.com:2855/s123;tcp expires=600"});
    auto third = frames_of(bound.bytes);
    ASSERT_EQ(third.size(), 1u);
    const auto &bind = as_request(third[0]);
    EXPECT_EQ(bind.method, "SEND");
    EXPECT_EQ(bind.to_path, path("msrp://relay.example.com:2855/s123;tcp msrp://192.0.2.9:2855/far1;tcp"));
    EXPECT_EQ(bind.from_path, path("msrp://192.0.2.1:4001/me1;tcp"));

    client.on_frame(im::msrp::make_response(bind, im::msrp::kStatusOk));
    ASSERT_TRUE(client.bound());
    auto chunk = frames_of(client.next_chunk().value_or(""));
    ASSERT_EQ(chunk.size(), 1u);
    EXPECT_EQ(as_request(chunk[0]).to_path, bind.to_path);
}

TEST(RelayClientSession, ASecondChallengeOrAnotherRefusalOfAuthIsAFailure)
{
    ClientOptions options;
    options.to_path = path("msrp://192.0.2.9:2855/far1;tcp");
    options.self = uri("msrp://192.0.2.1:4001/me1;tcp");
    options.relay = uri("msrp://relay.example.com:2855;tcp");
    options.credentials = DigestCredentials{"alice", "wrong"};
    MsrpClientSession client(options, seeded_random(3));
    auto auth = as_request(frames_of(client.binding_request())[0]);
    im::msrp::Response challenge = im::msrp::make_response(auth, im::msrp::kStatusUnauthorized);
    challenge.fields.add("WWW-Authenticate", R"(Digest realm="example.com", nonce="abc")");
    auto auth2 = as_request(frames_of(client.on_frame(challenge).bytes)[0]);
    im::msrp::Response again = im::msrp::make_response(auth2, im::msrp::kStatusUnauthorized);
    again.fields.add("WWW-Authenticate", R"(Digest realm="example.com", nonce="def")");
    ClientReaction refused = client.on_frame(again);
    EXPECT_TRUE(refused.bytes.empty());
    EXPECT_EQ(refused.lines, std::vector<std::string>{"auth-failed 401 Unauthorized"});
    EXPECT_TRUE(client.failed());

    options.credentials.reset();
    MsrpClientSession anonymous(options, seeded_random(4));
    auto auth3 = as_request(frames_of(anonymous.binding_request())[0]);
    ClientReaction out = anonymous.on_frame(im::msrp::make_response(auth3, im::msrp::kStatusForbidden));
    EXPECT_EQ(out.lines, std::vector<std::string>{"auth-failed 403 Forbidden"});
    EXPECT_TRUE(anonymous.failed());
}

TEST(RelayClientSession, RefusesTypesItDoesNotAcceptWith415)
{
    ClientOptions options;
    options.to_path = path("msrp://192.0.2.9:2855/far1;tcp");
    options.self = uri("msrp://192.0.2.1:4001/me1;tcp");
    options.accept_types = {"text/plain", "image/*"};
    MsrpClientSession client(options, seeded_random(3));
    auto png = send("tpng0001", path("msrp://192.0.2.1:4001/me1;tcp"), path("msrp://192.0.2.9:2855/far1;tcp"), "msg00001",
                    "image/png", "x");
    auto pdf = send("tpdf0002", path("msrp://192.0.2.1:4001/me1;tcp"), path("msrp://192.0.2.9:2855/far1;tcp"), "msg00002",
                    "application/pdf", "y");
    EXPECT_EQ(as_response(frames_of(client.on_frame(png).bytes)[0]).status_code, 200);
    ClientReaction refused = client.on_frame(pdf);
    EXPECT_EQ(as_response(frames_of(refused.bytes)[0]).status_code, 415);
    EXPECT_EQ(refused.lines, std::vector<std::string>{"refused 415 message-id=msg00002 content-type=application/pdf"});
    EXPECT_EQ(client.received_count(), 1u);
}

TEST(RelayClientSession, EscapesLinesForOutput)
{
    EXPECT_EQ(escape_for_line("a\\b\r\nc\x01"), "a\\\\b\\r\\nc\\x01");
}

}  // namespace

namespace {

// stream_output: a large message goes to the output chunk by chunk; a small
// one completed meanwhile follows it; an aborted one is taken back.
TEST(RelayClientSession, StreamsLargeMessagesToTheOutputInOrder)
{
    ClientOptions options;
    options.to_path = path("msrp://192.0.2.9:2855/far1;tcp");
    options.self = uri("msrp://192.0.2.1:4001/me1;tcp");
    options.stream_output = true;
    MsrpClientSession client(options, seeded_random(3));
    auto me = path("msrp://192.0.2.1:4001/me1;tcp");
    auto far = path("msrp://192.0.2.9:2855/far1;tcp");
    const std::string half(50000, 'a');
    const std::uint64_t total = 2 * half.size();
    using im::msrp::ByteRange;
    using im::msrp::Continuation;

    ClientReaction first = client.on_frame(send("tbig0001", me, far, "big00001", "application/octet-stream", half,
                                                ByteRange{1, half.size(), total}, Continuation::more));
    EXPECT_EQ(first.output, half);
    EXPECT_EQ(as_response(frames_of(first.bytes)[0]).status_code, 200);
    // A small message in between is reassembled and waits for the large one.
    ClientReaction small = client.on_frame(send("tsml0002", me, far, "sml00002", "text/plain", "hi"));
    EXPECT_TRUE(small.output.empty());
    EXPECT_EQ(client.received_count(), 1u);
    ClientReaction last = client.on_frame(send("tbig0003", me, far, "big00001", "application/octet-stream", half,
                                               ByteRange{half.size() + 1, total, total}, Continuation::complete));
    EXPECT_EQ(last.output, half + "hi");
    EXPECT_EQ(client.received_count(), 2u);
    ASSERT_EQ(last.lines.size(), 1u);
    EXPECT_EQ(last.lines[0], "message from=msrp://192.0.2.9:2855/far1;tcp content-type=application/octet-stream "
                             "bytes=100000 message-id=big00001");

    ClientReaction started = client.on_frame(send("tabt0004", me, far, "abt00003", "application/octet-stream", half,
                                                  ByteRange{1, half.size(), total}, Continuation::more));
    EXPECT_EQ(started.output.size(), half.size());
    ClientReaction aborted = client.on_frame(send("tabt0005", me, far, "abt00003", "application/octet-stream", "",
                                                  ByteRange{half.size() + 1, half.size(), total}, Continuation::aborted));
    EXPECT_EQ(aborted.output_discarded, half.size());
    EXPECT_EQ(client.received_count(), 2u);
    EXPECT_FALSE(client.failed());
}

}  // namespace

// --to-path-file: the far end's path comes after AUTH (both ends behind a
// relay of their own learn each other's Use-Path only then).
TEST(RelayClientSession, AwaitsTheFarPathAfterAuthBeforeBinding)
{
    ClientOptions options;
    options.self = uri("msrp://192.0.2.1:4001/me1;tcp");
    options.relay = uri("msrp://relay.example.com:2855;tcp");
    options.credentials = DigestCredentials{"alice", "wonderland"};
    options.await_to_path = true;
    MsrpClientSession client(options, seeded_random(4));
    client.queue("text/plain", "hi");
    EXPECT_TRUE(client.awaiting_to_path());

    auto first = frames_of(client.binding_request());
    const auto &auth = as_request(first.at(0));
    im::msrp::Response accepted = im::msrp::make_response(auth, im::msrp::kStatusOk);
    accepted.fields.add("Use-Path", "msrp://relay.example.com:2855/s123;tcp");
    accepted.fields.add("Expires", "600");
    ClientReaction reaction = client.on_frame(accepted);
    EXPECT_EQ(reaction.lines, std::vector<std::string>{"authenticated use-path=msrp://relay.example.com:2855/s123;tcp expires=600"});
    EXPECT_TRUE(reaction.bytes.empty()) << "no binding SEND before the far path is known";
    EXPECT_FALSE(client.next_chunk());

    auto bind = frames_of(client.set_to_path(path("msrp://192.0.2.9:2855/far9;tcp msrp://192.0.2.2:4002/you2;tcp")));
    ASSERT_EQ(bind.size(), 1u);
    EXPECT_EQ(as_request(bind[0]).to_path,
              path("msrp://relay.example.com:2855/s123;tcp msrp://192.0.2.9:2855/far9;tcp msrp://192.0.2.2:4002/you2;tcp"));
    EXPECT_FALSE(client.awaiting_to_path());
    EXPECT_TRUE(client.set_to_path(path("msrp://192.0.2.9:2855/other;tcp")).empty()) << "only the first path counts";

    // The path may also arrive while AUTH is still going on: the bind follows the 200.
    MsrpClientSession early(options, seeded_random(5));
    auto early_first = frames_of(early.binding_request());
    const auto &early_auth = as_request(early_first.at(0));
    EXPECT_TRUE(early.set_to_path(path("msrp://192.0.2.9:2855/far9;tcp")).empty());
    im::msrp::Response ok = im::msrp::make_response(early_auth, im::msrp::kStatusOk);
    ok.fields.add("Use-Path", "msrp://relay.example.com:2855/s456;tcp");
    auto early_bind = frames_of(early.on_frame(ok).bytes);
    ASSERT_EQ(early_bind.size(), 1u);
    EXPECT_EQ(as_request(early_bind[0]).to_path,
              path("msrp://relay.example.com:2855/s456;tcp msrp://192.0.2.9:2855/far9;tcp"));
}

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "im/relay/control_client.hpp"

namespace {

using namespace im::relay;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// A private directory for socket files, removed with everything in it.
class TempDir {
public:
    TempDir()
    {
        char name[] = "/tmp/im-relay-test-XXXXXX";
        EXPECT_NE(::mkdtemp(name), nullptr);
        path_ = name;
    }
    ~TempDir()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

private:
    std::string path_;
};

// A bound Unix socket, optionally listening; the test plays the relay by hand.
class FakeRelaySocket {
public:
    FakeRelaySocket(const std::string &path, bool listening) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
        if (listening) {
            EXPECT_EQ(::listen(fd_, 4), 0);
        }
    }
    ~FakeRelaySocket() { ::close(fd_); }

    // Accepts one client, reads its request line and sends `answer` back.
    void answer_once(const std::string &answer)
    {
        int client = ::accept(fd_, nullptr, nullptr);
        ASSERT_GE(client, 0);
        char buffer[256];
        const ssize_t got = ::read(client, buffer, sizeof(buffer));
        ASSERT_GT(got, 0);
        requests.emplace_back(buffer, static_cast<std::size_t>(got));
        ASSERT_EQ(::write(client, answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
        ::close(client);
    }

    std::vector<std::string> requests;  // each request line answered, as received

private:
    int fd_;
};

}  // namespace

TEST(ControlClient, MissingSocketIsReportedAsNotRunningQuickly)
{
    TempDir dir;
    std::string path = dir.file("absent.sock");
    auto started = SteadyClock::now();
    auto reply = ControlClient(path).status();
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ControlCallErrorKind::NotRunning);
    EXPECT_EQ(reply.error().text, "relay not running at " + path);
    EXPECT_LT(SteadyClock::now() - started, 100ms);
}

TEST(ControlClient, StaleSocketFileIsReportedAsNotRunning)
{
    TempDir dir;
    std::string path = dir.file("stale.sock");
    { FakeRelaySocket bound_but_closed(path, false); }
    auto reply = ControlClient(path).call({"PING", {}});
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ControlCallErrorKind::NotRunning);
}

TEST(ControlClient, SilentRelayTimesOut)
{
    TempDir dir;
    std::string path = dir.file("silent.sock");
    FakeRelaySocket never_accepts(path, true);  // the kernel completes the connect from the backlog
    auto started = SteadyClock::now();
    auto reply = ControlClient(path, 150ms).status();
    auto elapsed = SteadyClock::now() - started;
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ControlCallErrorKind::Timeout);
    EXPECT_EQ(reply.error().text, "timeout after 150 ms talking to relay at " + path);
    EXPECT_GE(elapsed, 150ms);
    EXPECT_LT(elapsed, 1s);
}

TEST(ControlClient, ReturnsParsedReplyIncludingErr)
{
    TempDir dir;
    std::string path = dir.file("relay.sock");
    FakeRelaySocket relay(path, true);
    std::thread server([&] { relay.answer_once("ERR 501 unknown command\n"); });
    auto reply = ControlClient(path).call({"FROB", {}});
    server.join();
    ASSERT_TRUE(reply.ok()) << reply.error().text;
    EXPECT_EQ(reply.value(), ControlReply::error(501, "unknown command"));
}

TEST(ControlClient, GarbageReplyIsAProtocolError)
{
    TempDir dir;
    std::string path = dir.file("relay.sock");
    FakeRelaySocket relay(path, true);
    std::thread server([&] { relay.answer_once("HTTP/1.1 200 OK\n"); });
    auto reply = ControlClient(path).call({"PING", {}});
    server.join();
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ControlCallErrorKind::Protocol);
    EXPECT_EQ(reply.error().text, "protocol error from relay at " + path + ": reply must start with OK or ERR");
}

TEST(ControlClient, ReplyWithoutLineFeedBeforeCloseIsAProtocolError)
{
    TempDir dir;
    std::string path = dir.file("relay.sock");
    FakeRelaySocket relay(path, true);
    std::thread server([&] { relay.answer_once("OK"); });
    auto reply = ControlClient(path).call({"PING", {}});
    server.join();
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ControlCallErrorKind::Protocol);
}

TEST(ControlClient, StatusWithoutCountersIsAProtocolError)
{
    TempDir dir;
    std::string path = dir.file("relay.sock");
    FakeRelaySocket relay(path, true);
    std::thread server([&] { relay.answer_once("OK protocol=1\n"); });
    auto status = ControlClient(path).status();
    server.join();
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().kind, ControlCallErrorKind::Protocol);
    EXPECT_NE(status.error().text.find("lacks a numeric uptime"), std::string::npos);
}

TEST(ControlClient, OverlongSocketPathIsRefused)
{
    auto reply = ControlClient("/tmp/" + std::string(200, 'x')).call({"PING", {}});
    ASSERT_FALSE(reply.ok());
    EXPECT_EQ(reply.error().kind, ControlCallErrorKind::System);
}

TEST(ControlClient, SessionsFollowsTheListPages)
{
    TempDir dir;
    std::string path = dir.file("relay.sock");
    FakeRelaySocket relay(path, true);
    std::thread server([&] {
        relay.answer_once("OK count=3 sessions=a1,b2 next=b2\n");
        relay.answer_once("OK count=3 sessions=c3\n");
    });
    auto sessions = ControlClient(path).sessions();
    server.join();
    ASSERT_TRUE(sessions.ok()) << sessions.error().text;
    EXPECT_EQ(sessions.value(), (std::vector<std::string>{"a1", "b2", "c3"}));
    ASSERT_EQ(relay.requests.size(), 2u);
    EXPECT_EQ(relay.requests[0], "SESSION_LIST\n");
    EXPECT_EQ(relay.requests[1], "SESSION_LIST b2\n");
}

TEST(ControlClient, SessionsOfAnEmptyRelayAndAnErrAnswer)
{
    TempDir dir;
    std::string path = dir.file("relay.sock");
    FakeRelaySocket relay(path, true);
    std::thread server([&] {
        relay.answer_once("OK count=0 sessions=\n");
        relay.answer_once("ERR 501 unknown command\n");
    });
    auto none = ControlClient(path).sessions();
    auto refused = ControlClient(path).sessions();
    server.join();
    ASSERT_TRUE(none.ok()) << none.error().text;
    EXPECT_TRUE(none.value().empty());
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().kind, im::relay::ControlCallErrorKind::Protocol);
}

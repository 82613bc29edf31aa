#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include "im/relay/control_client.hpp"
#include "msrp_relay/logger.hpp"
#include "msrp_relay/relay_config.hpp"
#include "msrp_relay/relay_server.hpp"

namespace {

using namespace im::msrp_relay;
using im::relay::ControlClient;
using im::relay::ControlReply;
using im::relay::ControlRequest;
using im::relay::RelayStatus;
using namespace std::chrono_literals;

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

// A connected client socket (TCP or Unix), closed on destruction.
class ClientSocket {
public:
    static ClientSocket tcp_loopback(std::uint16_t port)
    {
        ClientSocket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::connect(socket.fd_, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
        return socket;
    }
    static ClientSocket unix_stream(const std::string &path)
    {
        ClientSocket socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
        EXPECT_EQ(::connect(socket.fd_, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
        return socket;
    }

    ClientSocket(ClientSocket &&other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    ~ClientSocket()
    {
        if (fd_ >= 0) ::close(fd_);
    }

    void send_all(std::string_view data)
    {
        ASSERT_EQ(::send(fd_, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
    }

    void finish_sending() { ::shutdown(fd_, SHUT_WR); }

    // Everything the peer sends until it closes, or until the timeout.
    std::string read_until_closed(std::chrono::milliseconds timeout = 2s)
    {
        std::string received;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        char buffer[4096];
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd entry{fd_, POLLIN, 0};
            if (::poll(&entry, 1, 50) <= 0) continue;
            ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n <= 0) {
                closed_by_peer_ = true;
                break;
            }
            received.append(buffer, static_cast<std::size_t>(n));
        }
        return received;
    }
    bool closed_by_peer() const { return closed_by_peer_; }

    // What arrives until the received bytes contain needle, or the timeout.
    std::string read_until_contains(std::string_view needle, std::chrono::milliseconds timeout = 2s)
    {
        std::string received;
        auto deadline = std::chrono::steady_clock::now() + timeout;
        char buffer[4096];
        while (received.find(needle) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
            pollfd entry{fd_, POLLIN, 0};
            if (::poll(&entry, 1, 50) <= 0) continue;
            ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n <= 0) break;
            received.append(buffer, static_cast<std::size_t>(n));
        }
        return received;
    }

private:
    explicit ClientSocket(int fd) : fd_(fd) { EXPECT_GE(fd_, 0); }
    int fd_;
    bool closed_by_peer_ = false;
};

// A relay running on its own thread, stopped and joined on destruction.
class RunningRelay {
public:
    RunningRelay(RelayConfig config) : log_(LogLevel::Debug, logs_), server_(std::move(config), log_) {}
    ~RunningRelay() { stop_and_join(); }

    std::optional<std::string> open() { return server_.open(); }
    void start()
    {
        thread_ = std::thread([this] {
            server_.run();
            finished_.set_value();
        });
    }
    // True when run() returned within the limit; joins in either case.
    bool stop_and_join(std::chrono::milliseconds limit = 1s)
    {
        if (!thread_.joinable()) return true;
        server_.stop();
        bool in_time = finished_.get_future().wait_for(limit) == std::future_status::ready;
        thread_.join();
        return in_time;
    }

    RelayServer &server() { return server_; }
    // Only after stop_and_join(): the relay thread writes the log.
    std::string logs() const { return logs_.str(); }

private:
    std::ostringstream logs_;
    Logger log_;
    RelayServer server_;
    std::thread thread_;
    std::promise<void> finished_;
};

RelayConfig loopback_config(const TempDir &dir)
{
    RelayConfig config;
    config.listen = ListenAddress{"127.0.0.1", 0};
    config.control_socket = dir.file("run/im-server/relay.sock");  // parent directories do not exist yet
    return config;
}

// Polls STATUS until `wanted` holds, since the relay counts on its own thread.
RelayStatus wait_for_status(const ControlClient &client, const std::function<bool(const RelayStatus &)> &wanted)
{
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (true) {
        auto status = client.status();
        EXPECT_TRUE(status.ok()) << status.error().text;
        if (!status.ok()) return {};
        if (wanted(status.value()) || std::chrono::steady_clock::now() > deadline) return status.value();
        std::this_thread::sleep_for(10ms);
    }
}

bool file_exists(const std::string &path)
{
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0;
}

}  // namespace

TEST(RelayServer, AnswersControlCountsConnectionsAndStopsCleanly)
{
    TempDir dir;
    RelayConfig config = loopback_config(dir);
    RunningRelay relay(config);
    ASSERT_EQ(relay.open(), std::nullopt);
    std::uint16_t port = relay.server().msrp_port();
    ASSERT_NE(port, 0);

    struct stat info {};
    ASSERT_EQ(::lstat(config.control_socket.c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777, 0660);
    relay.start();

    ControlClient client(config.control_socket);
    auto hello = client.call({"HELLO", {"1"}});
    ASSERT_TRUE(hello.ok()) << hello.error().text;
    ASSERT_TRUE(hello.value().ok);
    EXPECT_EQ(*hello.value().find("protocol"), "1");
    EXPECT_EQ(hello.value().find("server")->rfind("im-msrp-relay/", 0), 0u);

    auto unknown = client.call({"FROB", {}});
    ASSERT_TRUE(unknown.ok());
    EXPECT_EQ(unknown.value(), ControlReply::error(501, "unknown command"));

    auto idle = client.status();
    ASSERT_TRUE(idle.ok()) << idle.error().text;
    EXPECT_EQ(idle.value().connections, 0u);
    EXPECT_EQ(idle.value().sessions, 0u);
    EXPECT_EQ(idle.value().listen, "127.0.0.1:" + std::to_string(port));

    auto msrp = ClientSocket::tcp_loopback(port);
    msrp.send_all("MSRP a786hjs2 SEND\r\n");
    auto busy = wait_for_status(client, [](const RelayStatus &s) { return s.connections == 1 && s.bytes_in == 20; });
    EXPECT_EQ(busy.connections, 1u);
    EXPECT_EQ(busy.bytes_in, 20u);
    EXPECT_EQ(busy.bytes_out, 0u);

    auto control = ClientSocket::unix_stream(config.control_socket);  // stays open across the stop

    EXPECT_TRUE(relay.stop_and_join(1s));
    EXPECT_FALSE(file_exists(config.control_socket));
    msrp.read_until_closed();
    EXPECT_TRUE(msrp.closed_by_peer());
    control.read_until_closed();
    EXPECT_TRUE(control.closed_by_peer());

    auto after = client.status();
    ASSERT_FALSE(after.ok());
    EXPECT_EQ(after.error().kind, im::relay::ControlCallErrorKind::NotRunning);
}

TEST(RelayServer, ClosedConnectionsLeaveTheCount)
{
    TempDir dir;
    RunningRelay relay(loopback_config(dir));
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();
    ControlClient client(relay.server().control_socket_path());
    {
        auto first = ClientSocket::tcp_loopback(relay.server().msrp_port());
        auto second = ClientSocket::tcp_loopback(relay.server().msrp_port());
        EXPECT_EQ(wait_for_status(client, [](const RelayStatus &s) { return s.connections == 2; }).connections, 2u);
    }
    EXPECT_EQ(wait_for_status(client, [](const RelayStatus &s) { return s.connections == 0; }).connections, 0u);
}

TEST(RelayServer, IdleConnectionsAreClosed)
{
    TempDir dir;
    RelayConfig config = loopback_config(dir);
    config.idle_timeout = 200ms;
    RunningRelay relay(config);
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();

    auto started = std::chrono::steady_clock::now();
    auto msrp = ClientSocket::tcp_loopback(relay.server().msrp_port());
    msrp.send_all("x");
    msrp.read_until_closed(3s);
    EXPECT_TRUE(msrp.closed_by_peer());
    EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
    ASSERT_TRUE(relay.stop_and_join());
    EXPECT_NE(relay.logs().find("closed (idle timeout)"), std::string::npos) << relay.logs();
}

TEST(RelayServer, OversizeControlLineGetsErrAndClose)
{
    TempDir dir;
    RunningRelay relay(loopback_config(dir));
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();

    auto control = ClientSocket::unix_stream(relay.server().control_socket_path());
    control.send_all("PING\n" + std::string(im::relay::kMaxControlLineBytes + 10, 'A'));
    EXPECT_EQ(control.read_until_closed(), "OK\nERR 400 line too long\n");
    EXPECT_TRUE(control.closed_by_peer());
}

TEST(RelayServer, PipelinedRequestsAreAnsweredInOrder)
{
    TempDir dir;
    RunningRelay relay(loopback_config(dir));
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();

    auto control = ClientSocket::unix_stream(relay.server().control_socket_path());
    control.send_all("PING\nHELLO 9\nNOPE\n");
    control.finish_sending();  // the relay answers everything, then sees EOF and closes
    EXPECT_EQ(control.read_until_closed(),
              "OK\nERR 505 protocol version 9 not supported (supported: 1)\nERR 501 unknown command\n");
    EXPECT_TRUE(control.closed_by_peer());
}

TEST(RelayServer, BusyMsrpPortFailsWithAClearMessage)
{
    TempDir dir;
    RunningRelay first(loopback_config(dir));
    ASSERT_EQ(first.open(), std::nullopt);

    RelayConfig config = loopback_config(dir);
    config.listen.port = first.server().msrp_port();
    config.control_socket = dir.file("second.sock");
    RunningRelay second(config);
    auto problem = second.open();
    ASSERT_TRUE(problem.has_value());
    EXPECT_EQ(problem->rfind("cannot listen for MSRP on 127.0.0.1:" + std::to_string(config.listen.port) + ": ", 0),
              0u)
        << *problem;
    EXPECT_FALSE(file_exists(config.control_socket));
}

TEST(RelayServer, LiveControlSocketIsNotStolen)
{
    TempDir dir;
    RelayConfig config = loopback_config(dir);
    RunningRelay first(config);
    ASSERT_EQ(first.open(), std::nullopt);
    first.start();

    RunningRelay second(config);
    auto problem = second.open();
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("already listening on " + config.control_socket), std::string::npos) << *problem;
    EXPECT_TRUE(ControlClient(config.control_socket).call({"PING", {}}).ok());
}

TEST(RelayServer, StaleControlSocketIsReplaced)
{
    TempDir dir;
    RelayConfig config = loopback_config(dir);
    std::filesystem::create_directories(std::filesystem::path(config.control_socket).parent_path());
    {
        // What a crashed relay leaves behind: a socket file nobody listens on.
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, config.control_socket.c_str(), sizeof(address.sun_path) - 1);
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof(address)), 0);
        ::close(fd);
    }
    RunningRelay relay(config);
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();
    EXPECT_TRUE(ControlClient(config.control_socket).call({"PING", {}}).ok());
}

TEST(RelayServer, RegularFileAtControlPathIsLeftAlone)
{
    TempDir dir;
    RelayConfig config = loopback_config(dir);
    config.control_socket = dir.file("not-a-socket");
    std::ofstream(config.control_socket) << "precious";
    RunningRelay relay(config);
    auto problem = relay.open();
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("is not a socket"), std::string::npos) << *problem;
    EXPECT_TRUE(file_exists(config.control_socket));
}

TEST(RelayServer, StopBeforeRunStillReturns)
{
    TempDir dir;
    RelayConfig config = loopback_config(dir);
    RunningRelay relay(config);
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.server().stop();
    relay.start();
    EXPECT_TRUE(relay.stop_and_join(1s));
    EXPECT_FALSE(file_exists(config.control_socket));
}

namespace {

std::string msrp_send(std::string_view tid, const std::string &to, std::string_view from, std::string_view body)
{
    std::string frame = "MSRP " + std::string(tid) + " SEND\r\nTo-Path: " + to + "\r\nFrom-Path: " + std::string(from) +
                        "\r\nMessage-ID: msg-" + std::string(tid) + "\r\n";
    if (!body.empty())
        frame += "Byte-Range: 1-" + std::to_string(body.size()) + "/" + std::to_string(body.size()) +
                 "\r\nContent-Type: text/plain\r\n\r\n" + std::string(body) + "\r\n";
    return frame + "-------" + std::string(tid) + "$\r\n";
}

TEST(RelayServer, RelaysASendBetweenTwoConnectionsOfASessionCreatedOverControl)
{
    TempDir dir;
    RunningRelay relay(loopback_config(dir));
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();
    ControlClient control(relay.server().control_socket_path());

    auto reply = control.call(im::relay::session_create_request("relay"));
    ASSERT_TRUE(reply.ok());
    auto session = im::relay::read_created_session(reply.value());
    ASSERT_TRUE(session.ok()) << session.error().text;
    std::string port = std::to_string(relay.server().msrp_port());
    EXPECT_EQ(session.value().path_a, "msrp://127.0.0.1:" + port + "/" + session.value().participant_a + ";tcp");

    auto bob = ClientSocket::tcp_loopback(relay.server().msrp_port());
    bob.send_all(msrp_send("bobbind1", session.value().path_b, "msrp://127.0.0.1:9/bob1;tcp", ""));
    EXPECT_NE(bob.read_until_contains("MSRP bobbind1 200 OK\r\n").find("MSRP bobbind1 200 OK"), std::string::npos);

    auto alice = ClientSocket::tcp_loopback(relay.server().msrp_port());
    alice.send_all(msrp_send("alicetx1", session.value().path_a, "msrp://127.0.0.1:8/alice1;tcp", "hello bob"));
    EXPECT_NE(alice.read_until_contains("MSRP alicetx1 200 OK").find("MSRP alicetx1 200 OK"), std::string::npos);
    std::string forwarded = bob.read_until_contains("hello bob\r\n-------");
    EXPECT_NE(forwarded.find("To-Path: msrp://127.0.0.1:9/bob1;tcp\r\n"), std::string::npos) << forwarded;
    EXPECT_NE(forwarded.find("From-Path: " + session.value().path_b + " msrp://127.0.0.1:8/alice1;tcp\r\n"),
              std::string::npos)
        << forwarded;

    auto status = wait_for_status(control, [](const RelayStatus &s) { return s.messages_in == 2; });
    EXPECT_EQ(status.sessions, 1u);
    EXPECT_EQ(status.connections, 2u);
    EXPECT_EQ(status.messages_out, 1u);

    EXPECT_TRUE(control.call(im::relay::session_delete_request(session.value().session)).value().ok);
    alice.send_all(msrp_send("alicetx2", session.value().path_a, "msrp://127.0.0.1:8/alice1;tcp", "anyone?"));
    EXPECT_NE(alice.read_until_contains("MSRP alicetx2 481").find("MSRP alicetx2 481"), std::string::npos);
    EXPECT_TRUE(relay.stop_and_join());
}

TEST(RelayServer, MalformedFrameClosesOnlyItsConnection)
{
    TempDir dir;
    RunningRelay relay(loopback_config(dir));
    ASSERT_EQ(relay.open(), std::nullopt);
    relay.start();
    auto healthy = ClientSocket::tcp_loopback(relay.server().msrp_port());
    auto broken = ClientSocket::tcp_loopback(relay.server().msrp_port());
    broken.send_all("MSRP x SEND\r\n\r\n");
    broken.read_until_closed();
    EXPECT_TRUE(broken.closed_by_peer());
    healthy.send_all(msrp_send("stillok1", "msrp://127.0.0.1:1/nosuchsession;tcp", "msrp://127.0.0.1:8/a1;tcp", "x"));
    EXPECT_NE(healthy.read_until_contains("MSRP stillok1 481").find("MSRP stillok1 481"), std::string::npos);
    ASSERT_TRUE(relay.stop_and_join());
    EXPECT_NE(relay.logs().find("malformed frame (malformed start line"), std::string::npos) << relay.logs();
}

}  // namespace

#include "im/relay/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <system_error>
#include <thread>

namespace im::relay {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Owns one file descriptor; closes it on every return path.
class UniqueFd {
public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd()
    {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }

private:
    int fd_;
};

// One budget for the whole exchange, so a slow connect leaves less time to wait for the reply.
class Deadline {
public:
    explicit Deadline(std::chrono::milliseconds budget) : end_(SteadyClock::now() + budget) {}

    // Milliseconds left, rounded up so a sub-millisecond rest still polls; 0 when expired.
    int remaining_ms() const
    {
        auto left = end_ - SteadyClock::now();
        if (left <= SteadyClock::duration::zero()) return 0;
        return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count());
    }

private:
    SteadyClock::time_point end_;
};

std::string errno_text(int error) { return std::system_category().message(error); }

// One exchange on one connection; every failure names the socket path.
class Exchange {
public:
    Exchange(const std::string &path, std::chrono::milliseconds timeout)
        : path_(path), timeout_(timeout), deadline_(timeout)
    {
    }

    ControlOutcome<ControlReply> run(const std::string &request_line)
    {
        if (request_line.size() - 1 > kMaxControlLineBytes) return protocol_error("request line too long");
        sockaddr_un address{};
        if (path_.size() >= sizeof(address.sun_path))
            return failure(ControlCallErrorKind::System, "control socket path too long: " + path_);
        address.sun_family = AF_UNIX;
        std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);

        UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (fd.get() < 0) return system_error(errno);

        if (auto failed = connect(fd.get(), address)) return *failed;
        if (auto failed = send_all(fd.get(), request_line)) return *failed;
        return read_reply(fd.get());
    }

private:
    using Failure = std::optional<ControlOutcome<ControlReply>>;

    Failure connect(int fd, const sockaddr_un &address)
    {
        while (true) {
            if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof(address)) == 0) return {};
            int error = errno;
            if (error == EINTR) continue;
            if (error == ENOENT || error == ECONNREFUSED || error == ENOTSOCK)
                return failure(ControlCallErrorKind::NotRunning, "relay not running at " + path_);
            if (error == EAGAIN) {
                // The relay's listen backlog is full: it is alive but busy, so retry until the deadline.
                if (deadline_.remaining_ms() == 0) return timeout_error();
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            if (error == EINPROGRESS) return wait_connected(fd);
            return system_error(error);
        }
    }

    Failure wait_connected(int fd)
    {
        if (auto failed = wait_for(fd, POLLOUT)) return failed;
        int error = 0;
        socklen_t length = sizeof(error);
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) return system_error(errno);
        if (error == ECONNREFUSED) return failure(ControlCallErrorKind::NotRunning, "relay not running at " + path_);
        if (error != 0) return system_error(error);
        return {};
    }

    Failure send_all(int fd, std::string_view data)
    {
        while (!data.empty()) {
            ssize_t sent = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (sent >= 0) {
                data.remove_prefix(static_cast<std::size_t>(sent));
                continue;
            }
            int error = errno;
            if (error == EINTR) continue;
            if (error == EAGAIN || error == EWOULDBLOCK) {
                if (auto failed = wait_for(fd, POLLOUT)) return failed;
                continue;
            }
            if (error == EPIPE || error == ECONNRESET) return protocol_error("relay closed the connection");
            return system_error(error);
        }
        return {};
    }

    ControlOutcome<ControlReply> read_reply(int fd)
    {
        std::string buffer;
        char chunk[4096];
        while (true) {
            if (auto newline = buffer.find('\n'); newline != std::string::npos) {
                auto reply = parse_reply(std::string_view(buffer).substr(0, newline));
                if (!reply) return protocol_error(reply.error().text);
                return ControlOutcome<ControlReply>::success(std::move(reply.value()));
            }
            if (buffer.size() > kMaxControlLineBytes) return protocol_error("reply line too long");
            if (auto failed = wait_for(fd, POLLIN)) return *failed;

            ssize_t received = ::recv(fd, chunk, sizeof(chunk), 0);
            if (received > 0) {
                buffer.append(chunk, static_cast<std::size_t>(received));
                continue;
            }
            if (received == 0) return protocol_error("relay closed the connection before replying");
            int error = errno;
            if (error == EINTR || error == EAGAIN || error == EWOULDBLOCK) continue;
            if (error == ECONNRESET) return protocol_error("relay closed the connection before replying");
            return system_error(error);
        }
    }

    // Waits until fd is ready for `events` or the deadline passes.
    Failure wait_for(int fd, short events)
    {
        while (true) {
            int budget = deadline_.remaining_ms();
            if (budget == 0) return timeout_error();
            pollfd entry{fd, events, 0};
            int ready = ::poll(&entry, 1, budget);
            if (ready > 0) return {};  // errors and hang-ups surface in the following call
            if (ready == 0) return timeout_error();
            if (errno != EINTR) return system_error(errno);
        }
    }

    ControlOutcome<ControlReply> failure(ControlCallErrorKind kind, std::string text) const
    {
        return ControlOutcome<ControlReply>::failure({kind, std::move(text)});
    }
    ControlOutcome<ControlReply> timeout_error() const
    {
        return failure(ControlCallErrorKind::Timeout,
                       "timeout after " + std::to_string(timeout_.count()) + " ms talking to relay at " + path_);
    }
    ControlOutcome<ControlReply> protocol_error(const std::string &detail) const
    {
        return failure(ControlCallErrorKind::Protocol, "protocol error from relay at " + path_ + ": " + detail);
    }
    ControlOutcome<ControlReply> system_error(int error) const
    {
        return failure(ControlCallErrorKind::System, "cannot reach relay at " + path_ + ": " + errno_text(error));
    }

    const std::string &path_;
    std::chrono::milliseconds timeout_;
    Deadline deadline_;
};

}  // namespace

ControlClient::ControlClient(std::string socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout)
{
}

ControlOutcome<ControlReply> ControlClient::call(const ControlRequest &request) const
{
    return Exchange(socket_path_, timeout_).run(serialize_request(request));
}

ControlOutcome<RelayStatus> ControlClient::status() const
{
    auto reply = call(ControlRequest{"STATUS", {}});
    if (!reply) return ControlOutcome<RelayStatus>::failure(reply.error());
    auto status = read_status(reply.value());
    if (!status)
        return ControlOutcome<RelayStatus>::failure(
            {ControlCallErrorKind::Protocol, "protocol error from relay at " + socket_path_ + ": " + status.error().text});
    return ControlOutcome<RelayStatus>::success(std::move(status.value()));
}

ControlOutcome<std::vector<std::string>> ControlClient::sessions() const
{
    std::vector<std::string> all;
    std::string after;
    // The relay holds at most 10000 sessions, 200 a page; the bound only
    // stops a misbehaving peer from keeping us here.
    for (int page_count = 0; page_count < 1000; ++page_count) {
        auto reply = call(session_list_request(after));
        if (!reply) return ControlOutcome<std::vector<std::string>>::failure(reply.error());
        auto page = read_session_list(reply.value());
        if (!page)
            return ControlOutcome<std::vector<std::string>>::failure(
                {ControlCallErrorKind::Protocol, "protocol error from relay at " + socket_path_ + ": " + page.error().text});
        for (auto &id : page.value().sessions) all.push_back(std::move(id));
        if (!page.value().next || *page.value().next <= after)
            return ControlOutcome<std::vector<std::string>>::success(std::move(all));
        after = *page.value().next;
    }
    return ControlOutcome<std::vector<std::string>>::failure(
        {ControlCallErrorKind::Protocol, "relay at " + socket_path_ + " lists sessions without end"});
}

}  // namespace im::relay

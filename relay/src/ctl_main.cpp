// im-relay-ctl: asks the running MSRP relay over its control socket.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "im/relay/control_client.hpp"
#include "im/relay/control_protocol.hpp"

namespace {

constexpr int kExitUsage = 2;

void print_usage(std::FILE *to)
{
    std::fprintf(to,
                 "usage: im-relay-ctl [-s SOCKET] [-t TIMEOUT_MS] COMMAND [ARG...]\n"
                 "\n"
                 "  -s SOCKET      control socket (default %s)\n"
                 "  -t TIMEOUT_MS  connect + reply timeout (default %lld)\n"
                 "\n"
                 "commands:\n"
                 "  status   counters of the relay (STATUS)\n"
                 "  ping     liveness check (PING)\n"
                 "  hello    protocol and server version (HELLO %d)\n"
                 "  COMMAND [ARG...]\n"
                 "           any upper-case command sent as is, e.g.\n"
                 "           SESSION_CREATE conference, SESSION_SHOW <id>\n"
                 "           (arguments are percent-encoded for the wire)\n"
                 "\n"
                 "Prints the relay's reply line; exits 0 on OK, 1 on ERR or when the relay\n"
                 "cannot be reached, 2 on a usage error.\n",
                 std::string(im::relay::kDefaultControlSocketPath).c_str(),
                 static_cast<long long>(im::relay::kDefaultControlTimeout.count()), im::relay::kControlProtocolVersion);
}

bool is_raw_command(std::string_view word)
{
    if (word.empty()) return false;
    for (char c : word) {
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

std::optional<im::relay::ControlRequest> request_for(std::string_view command)
{
    if (command == "status") return im::relay::ControlRequest{"STATUS", {}};
    if (command == "ping") return im::relay::ControlRequest{"PING", {}};
    if (command == "hello")
        return im::relay::ControlRequest{"HELLO", {std::to_string(im::relay::kControlProtocolVersion)}};
    return std::nullopt;
}

}  // namespace

int main(int argc, char **argv)
{
    std::string socket_path(im::relay::kDefaultControlSocketPath);
    auto timeout = im::relay::kDefaultControlTimeout;
    std::optional<im::relay::ControlRequest> request;

    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            print_usage(stdout);
            return 0;
        }
        if ((arg == "-s" || arg == "-t") && i + 1 < argc) {
            std::string_view value = argv[++i];
            if (arg == "-s") {
                socket_path = std::string(value);
                continue;
            }
            char *end = nullptr;
            long long millis = std::strtoll(argv[i], &end, 10);
            if (value.empty() || *end != '\0' || millis <= 0) {
                std::fprintf(stderr, "im-relay-ctl: -t needs a positive number of milliseconds\n");
                return kExitUsage;
            }
            timeout = std::chrono::milliseconds(millis);
            continue;
        }
        if (!request && is_raw_command(arg)) {
            // Everything after a raw command is its arguments.
            request = im::relay::ControlRequest{std::string(arg), {}};
            for (++i; i < argc; ++i) request->args.emplace_back(argv[i]);
            break;
        }
        if (request || !(request = request_for(arg))) {
            print_usage(stderr);
            return kExitUsage;
        }
    }
    if (!request) {
        print_usage(stderr);
        return kExitUsage;
    }

    im::relay::ControlClient client(socket_path, timeout);
    auto reply = client.call(*request);
    if (!reply) {
        std::fprintf(stderr, "im-relay-ctl: %s\n", reply.error().text.c_str());
        return 1;
    }
    std::fputs(im::relay::serialize_reply(reply.value()).c_str(), reply.value().ok ? stdout : stderr);
    return reply.value().ok ? 0 : 1;
}

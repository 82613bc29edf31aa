// im-msrp-relay: the MSRP relay process of the IM server.
#include <csignal>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "msrp_relay/logger.hpp"
#include "msrp_relay/relay_config.hpp"
#include "msrp_relay/relay_server.hpp"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitFailure = 1;

}  // namespace

int main(int argc, char **argv)
{
    using namespace im::msrp_relay;
    std::string_view program = argc > 0 ? argv[0] : "im-msrp-relay";
    std::vector<std::string_view> args(argv + 1, argv + argc);

    auto arguments = parse_arguments(args);
    if (!arguments) {
        std::fprintf(stderr, "%s: %s\n%s", program.data(), arguments.error().c_str(), usage_text(program).c_str());
        return kExitUsage;
    }
    if (arguments.value().help) {
        std::fputs(usage_text(program).c_str(), stdout);
        return 0;
    }
    auto config = resolve_config(arguments.value());
    if (!config) {
        std::fprintf(stderr, "%s: %s\n", program.data(), config.error().c_str());
        return kExitUsage;
    }

    // A peer that vanishes mid-write must cost an error code, not the process.
    std::signal(SIGPIPE, SIG_IGN);

    Logger log(config.value().log_level);
    RelayServer server(config.value(), log);
    if (auto problem = server.open()) {
        log.error(*problem);
        return kExitFailure;
    }
    server.stop_on_termination_signals();
    server.run();
    return 0;
}

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <unistd.h>

#include "msrp_relay/relay_config.hpp"

namespace {

using namespace im::msrp_relay;
using namespace std::chrono_literals;

RelayConfig resolved(const std::vector<std::string_view> &args)
{
    auto arguments = parse_arguments(args);
    EXPECT_TRUE(arguments.ok()) << (arguments.ok() ? "" : arguments.error());
    if (!arguments.ok()) return {};
    auto config = resolve_config(arguments.value());
    EXPECT_TRUE(config.ok()) << (config.ok() ? "" : config.error());
    return config.ok() ? config.value() : RelayConfig{};
}

std::string resolve_error(const std::vector<std::string_view> &args)
{
    auto arguments = parse_arguments(args);
    if (!arguments.ok()) return arguments.error();
    auto config = resolve_config(arguments.value());
    EXPECT_FALSE(config.ok());
    return config.ok() ? std::string() : config.error();
}

// A config file that deletes itself.
class TempConfigFile {
public:
    explicit TempConfigFile(const std::string &content)
    {
        char name[] = "/tmp/im-relay-config-XXXXXX";
        int fd = ::mkstemp(name);
        EXPECT_GE(fd, 0);
        ::close(fd);
        path_ = name;
        std::ofstream(path_) << content;
    }
    ~TempConfigFile() { std::remove(path_.c_str()); }
    const std::string &path() const { return path_; }

private:
    std::string path_;
};

}  // namespace

TEST(RelayConfig, DefaultsMatchTheDocumentedValues)
{
    RelayConfig config = resolved({});
    EXPECT_EQ(config.listen.to_string(), "127.0.0.1:2855");
    EXPECT_EQ(config.control_socket, "/run/im-server/msrp-relay.sock");
    EXPECT_EQ(config.idle_timeout, 300s);
    EXPECT_EQ(config.log_level, LogLevel::Info);
}

TEST(RelayConfig, CommandLineSetsEveryKeyInBothSpellings)
{
    RelayConfig config = resolved(
        {"--listen", "0.0.0.0:9000", "--control=/tmp/x.sock", "--idle-timeout", "5", "--log-level=debug"});
    EXPECT_EQ(config.listen, (ListenAddress{"0.0.0.0", 9000}));
    EXPECT_EQ(config.control_socket, "/tmp/x.sock");
    EXPECT_EQ(config.idle_timeout, 5s);
    EXPECT_EQ(config.log_level, LogLevel::Debug);
}

TEST(RelayConfig, ListenAcceptsIpv4AndBracketedIpv6Only)
{
    EXPECT_EQ(parse_listen_address("[::1]:2855"), (ListenAddress{"::1", 2855}));
    EXPECT_EQ(parse_listen_address("[::1]:2855")->to_string(), "[::1]:2855");
    EXPECT_EQ(parse_listen_address("127.0.0.1:0"), (ListenAddress{"127.0.0.1", 0}));
    for (std::string_view bad : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "localhost:2855", "::1:2855",
                                 "[::1]2855", "[127.0.0.1]:2855", "1.2.3:80", "127.0.0.1:-1"}) {
        EXPECT_FALSE(parse_listen_address(bad).has_value()) << bad;
    }
}

TEST(RelayConfig, FileIsReadAndCommandLineWins)
{
    TempConfigFile file("# example\n\nlisten = 127.0.0.1:3000\ncontrol_socket=/tmp/from-file.sock\n"
                        "  idle_timeout =  60  \nlog_level = warn\n");
    RelayConfig config = resolved({"--config", file.path(), "--listen", "127.0.0.1:4000"});
    EXPECT_EQ(config.listen.port, 4000);
    EXPECT_EQ(config.control_socket, "/tmp/from-file.sock");
    EXPECT_EQ(config.idle_timeout, 60s);
    EXPECT_EQ(config.log_level, LogLevel::Warning);
}

TEST(RelayConfig, ShippedExampleConfigIsValid)
{
    RelayConfig config = resolved({"--config", IM_SOURCE_DIR "/etc/msrp-relay.conf"});
    EXPECT_EQ(config.listen.to_string(), "127.0.0.1:2855");
    EXPECT_EQ(config.control_socket, "/run/im-server/msrp-relay.sock");
    EXPECT_EQ(config.idle_timeout, 300s);
    EXPECT_EQ(config.log_level, LogLevel::Info);
}

TEST(RelayConfig, ErrorsNameTheirOrigin)
{
    TempConfigFile unknown_key("listen = 127.0.0.1:1\nport = 5\n");
    EXPECT_EQ(resolve_error({"--config", unknown_key.path()}), unknown_key.path() + ":2: unknown key 'port'");
    TempConfigFile no_equals("listen 127.0.0.1:1\n");
    EXPECT_EQ(resolve_error({"--config", no_equals.path()}), no_equals.path() + ":1: expected 'key = value'");

    EXPECT_NE(resolve_error({"--listen", "nowhere"}).find("--listen: listen must be IP:PORT"), std::string::npos);
    EXPECT_NE(resolve_error({"--idle-timeout", "-3"}).find("--idle-timeout: idle_timeout"), std::string::npos);
    EXPECT_NE(resolve_error({"--log-level", "loud"}).find("log_level must be"), std::string::npos);
    EXPECT_NE(resolve_error({"--control", std::string(200, 'x')}).find("control_socket must be"), std::string::npos);
    EXPECT_EQ(resolve_error({"--bogus"}), "unknown option '--bogus'");
    EXPECT_EQ(resolve_error({"--listen"}), "--listen needs a value");
    EXPECT_EQ(resolve_error({"--config", "/nonexistent/relay.conf"}), "cannot read config file /nonexistent/relay.conf");
}

TEST(RelayConfig, HelpIsRecognised)
{
    EXPECT_TRUE(parse_arguments({"--help"}).value().help);
    EXPECT_TRUE(parse_arguments({"-h"}).value().help);
    EXPECT_NE(usage_text("im-msrp-relay").find("--listen"), std::string::npos);
}

TEST(RelayConfig, SessionFlowAndTlsKeys)
{
    RelayConfig defaults = resolved({});
    EXPECT_EQ(defaults.effective_path_host(), "127.0.0.1");
    EXPECT_EQ(defaults.session_idle_timeout, 3600s);
    EXPECT_EQ(defaults.write_queue_limit, 1024u * 1024);
    EXPECT_FALSE(defaults.tls_listen);

    RelayConfig config = resolved({"--listen", "0.0.0.0:2855", "--path-host", "relay.example.com",
                                   "--session-idle-timeout=60", "--write-queue-limit", "65536", "--tls-listen",
                                   "0.0.0.0:2856", "--tls-certificate", "/etc/c.pem", "--tls-private-key", "/etc/k.pem"});
    EXPECT_EQ(config.effective_path_host(), "relay.example.com");
    EXPECT_EQ(config.session_idle_timeout, 60s);
    EXPECT_EQ(config.write_queue_limit, 65536u);
    EXPECT_EQ(config.tls_listen, (ListenAddress{"0.0.0.0", 2856}));
    EXPECT_EQ(config.tls_certificate, "/etc/c.pem");

    EXPECT_NE(resolve_error({"--write-queue-limit", "100"}).find("write_queue_limit"), std::string::npos);
    EXPECT_NE(resolve_error({"--path-host", "bad host"}).find("path_host"), std::string::npos);
    EXPECT_EQ(resolve_error({"--tls-listen", "127.0.0.1:2856"}), "tls_listen needs tls_certificate and tls_private_key");
}

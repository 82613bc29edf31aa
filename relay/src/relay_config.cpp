#include "msrp_relay/relay_config.hpp"

#include <sys/un.h>

#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

#include <asio/ip/address.hpp>

#include "im/msrp/uri.hpp"

namespace im::msrp_relay {
namespace {

struct Flag {
    std::string_view flag;
    std::string_view key;  // config key the flag sets
};

constexpr std::array kFlags{
    Flag{"--listen", "listen"},
    Flag{"--control", "control_socket"},
    Flag{"--idle-timeout", "idle_timeout"},
    Flag{"--log-level", "log_level"},
    Flag{"--path-host", "path_host"},
    Flag{"--session-idle-timeout", "session_idle_timeout"},
    Flag{"--write-queue-limit", "write_queue_limit"},
    Flag{"--tls-listen", "tls_listen"},
    Flag{"--tls-certificate", "tls_certificate"},
    Flag{"--tls-private-key", "tls_private_key"},
    Flag{"--store-database", "store_database"},
    Flag{"--auth-users", "auth_users"},
    Flag{"--auth-realm", "auth_realm"},
    Flag{"--auth-expires", "auth_expires"},
    Flag{"--auth-min-expires", "auth_min_expires"},
    Flag{"--auth-max-expires", "auth_max_expires"},
    Flag{"--auth-over-tcp", "auth_over_tcp"},
    Flag{"--tls-ca-file", "tls_ca_file"},
};

std::string_view trim(std::string_view text)
{
    constexpr std::string_view kBlanks = " \t\r";
    std::size_t first = text.find_first_not_of(kBlanks);
    if (first == std::string_view::npos) return {};
    std::size_t last = text.find_last_not_of(kBlanks);
    return text.substr(first, last - first + 1);
}

template <typename Unsigned>
bool parse_decimal(std::string_view text, Unsigned &out)
{
    if (text.empty()) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && end == text.data() + text.size();
}

bool is_ip_literal(const std::string &host, bool want_v6)
{
    asio::error_code error;
    auto address = asio::ip::make_address(host, error);
    return !error && address.is_v6() == want_v6;
}

std::optional<std::string> apply_one(RelayConfig &config, const Setting &setting)
{
    auto problem = [&setting](std::string_view what) {
        return setting.origin + ": " + std::string(what) + " (got '" + setting.value + "')";
    };
    if (setting.key == "listen") {
        auto listen = parse_listen_address(setting.value);
        if (!listen) return problem("listen must be IP:PORT, e.g. 127.0.0.1:2855 or [::1]:2855");
        config.listen = *listen;
    } else if (setting.key == "control_socket") {
        if (setting.value.empty() || setting.value.size() >= sizeof(sockaddr_un::sun_path))
            return problem("control_socket must be a path of 1 to " +
                           std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
        config.control_socket = setting.value;
    } else if (setting.key == "idle_timeout") {
        std::uint32_t seconds = 0;
        if (!parse_decimal(setting.value, seconds))
            return problem("idle_timeout must be a whole number of seconds (0 disables it)");
        config.idle_timeout = std::chrono::seconds(seconds);
    } else if (setting.key == "path_host") {
        // Goes verbatim into msrp: URIs, so it must be a host the URI grammar accepts.
        auto uri = im::msrp::parse_uri("msrp://" + setting.value + ":1/x;tcp");
        if (setting.value.empty() || !uri.ok()) return problem("path_host must be a host name or IP address");
        config.path_host = setting.value;
    } else if (setting.key == "session_idle_timeout") {
        std::uint32_t seconds = 0;
        if (!parse_decimal(setting.value, seconds))
            return problem("session_idle_timeout must be a whole number of seconds (0 disables it)");
        config.session_idle_timeout = std::chrono::seconds(seconds);
    } else if (setting.key == "write_queue_limit") {
        std::size_t bytes = 0;
        if (!parse_decimal(setting.value, bytes) || bytes < 1024)
            return problem("write_queue_limit must be a number of bytes, at least 1024");
        config.write_queue_limit = bytes;
    } else if (setting.key == "tls_listen") {
        if (setting.value.empty() || setting.value == "off") {
            config.tls_listen.reset();
        } else {
            auto listen = parse_listen_address(setting.value);
            if (!listen) return problem("tls_listen must be IP:PORT, e.g. 127.0.0.1:2856, or off");
            config.tls_listen = *listen;
        }
    } else if (setting.key == "tls_certificate") {
        config.tls_certificate = setting.value;
    } else if (setting.key == "tls_private_key") {
        config.tls_private_key = setting.value;
    } else if (setting.key == "store_database") {
        config.store_database = setting.value == "off" ? std::string() : setting.value;
    } else if (setting.key == "auth_users") {
        config.auth_users = setting.value == "off" ? std::string() : setting.value;
    } else if (setting.key == "auth_realm") {
        // Goes into a quoted-string of WWW-Authenticate.
        if (setting.value.find_first_of("\"\\") != std::string::npos)
            return problem("auth_realm must not contain quotes or backslashes");
        config.auth_realm = setting.value;
    } else if (setting.key == "auth_expires" || setting.key == "auth_min_expires" ||
               setting.key == "auth_max_expires") {
        std::uint32_t seconds = 0;
        if (!parse_decimal(setting.value, seconds) || seconds == 0)
            return problem(setting.key + " must be a whole number of seconds, at least 1");
        (setting.key == "auth_expires"       ? config.auth_expires
         : setting.key == "auth_min_expires" ? config.auth_min_expires
                                             : config.auth_max_expires) = std::chrono::seconds(seconds);
    } else if (setting.key == "auth_over_tcp") {
        if (setting.value != "yes" && setting.value != "no") return problem("auth_over_tcp must be yes or no");
        config.auth_over_tcp = setting.value == "yes";
    } else if (setting.key == "tls_ca_file") {
        config.tls_ca_file = setting.value;
    } else if (setting.key == "log_level") {
        auto level = parse_log_level(setting.value);
        if (!level) return problem("log_level must be error, warn, info or debug");
        config.log_level = *level;
    } else {
        return setting.origin + ": unknown key '" + setting.key + "'";
    }
    return std::nullopt;
}

}  // namespace

std::string ListenAddress::to_string() const
{
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<ListenAddress> parse_listen_address(std::string_view text)
{
    std::string host;
    std::string_view port_text;
    bool v6 = !text.empty() && text.front() == '[';
    if (v6) {
        std::size_t close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        std::size_t colon = text.find(':');
        if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
            return std::nullopt;
        host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
    }
    std::uint16_t port = 0;
    if (!parse_decimal(port_text, port) || !is_ip_literal(host, v6)) return std::nullopt;
    return ListenAddress{std::move(host), port};
}

ConfigOutcome<Arguments> parse_arguments(const std::vector<std::string_view> &args)
{
    Arguments parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            parsed.help = true;
            continue;
        }
        std::string_view name = arg.substr(0, arg.find('='));
        std::optional<std::string_view> inline_value;
        if (name.size() < arg.size()) inline_value = arg.substr(name.size() + 1);

        std::string_view key;
        if (name == "--config") {
            key = "config";
        } else {
            for (const auto &flag : kFlags) {
                if (flag.flag == name) key = flag.key;
            }
        }
        if (key.empty()) return ConfigOutcome<Arguments>::failure("unknown option '" + std::string(arg) + "'");

        std::string value;
        if (inline_value) {
            value = std::string(*inline_value);
        } else if (i + 1 < args.size()) {
            value = std::string(args[++i]);
        } else {
            return ConfigOutcome<Arguments>::failure(std::string(name) + " needs a value");
        }
        if (key == "config")
            parsed.config_file = std::move(value);
        else
            parsed.settings.push_back({std::string(key), std::move(value), std::string(name)});
    }
    return ConfigOutcome<Arguments>::success(std::move(parsed));
}

ConfigOutcome<std::vector<Setting>> parse_config_text(std::string_view text, std::string_view file_name)
{
    std::vector<Setting> settings;
    std::size_t line_number = 0;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = trim(text.substr(0, end));
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++line_number;
        if (line.empty() || line.front() == '#') continue;

        std::string origin = std::string(file_name) + ":" + std::to_string(line_number);
        std::size_t eq = line.find('=');
        if (eq == std::string_view::npos)
            return ConfigOutcome<std::vector<Setting>>::failure(origin + ": expected 'key = value'");
        std::string_view key = trim(line.substr(0, eq));
        if (key.empty()) return ConfigOutcome<std::vector<Setting>>::failure(origin + ": missing key before '='");
        settings.push_back({std::string(key), std::string(trim(line.substr(eq + 1))), std::move(origin)});
    }
    return ConfigOutcome<std::vector<Setting>>::success(std::move(settings));
}

std::optional<std::string> apply_settings(RelayConfig &config, const std::vector<Setting> &settings)
{
    for (const auto &setting : settings) {
        if (auto problem = apply_one(config, setting)) return problem;
    }
    return std::nullopt;
}

std::optional<std::string> read_text_file(const std::string &path)
{
    std::ifstream file(path);
    if (!file) return std::nullopt;
    std::stringstream content;
    content << file.rdbuf();
    return std::move(content).str();
}

ConfigOutcome<RelayConfig> resolve_config(const Arguments &arguments)
{
    RelayConfig config;
    if (arguments.config_file) {
        auto text = read_text_file(*arguments.config_file);
        if (!text) return ConfigOutcome<RelayConfig>::failure("cannot read config file " + *arguments.config_file);
        auto settings = parse_config_text(*text, *arguments.config_file);
        if (!settings) return ConfigOutcome<RelayConfig>::failure(settings.error());
        if (auto problem = apply_settings(config, settings.value()))
            return ConfigOutcome<RelayConfig>::failure(*problem);
    }
    if (auto problem = apply_settings(config, arguments.settings)) return ConfigOutcome<RelayConfig>::failure(*problem);
    if (auto problem = check_config(config)) return ConfigOutcome<RelayConfig>::failure(*problem);
    return ConfigOutcome<RelayConfig>::success(std::move(config));
}

std::optional<std::string> check_config(const RelayConfig &config)
{
    if (config.tls_listen && (config.tls_certificate.empty() || config.tls_private_key.empty()))
        return "tls_listen needs tls_certificate and tls_private_key";
    if (config.auth_min_expires > config.auth_expires || config.auth_expires > config.auth_max_expires)
        return "auth_min_expires <= auth_expires <= auth_max_expires must hold";
    return std::nullopt;
}

std::string usage_text(std::string_view program)
{
    std::string text = "usage: " + std::string(program) + " [options]\n";
    text += R"(
MSRP relay of the IM server. Settings come from the defaults, then --config,
then the command line (the command line wins).

  --listen ADDR:PORT     MSRP TCP listen address (default 127.0.0.1:2855;
                         IPv6 as [::1]:2855; port 0 picks a free port)
  --control PATH         control socket (default /run/im-server/msrp-relay.sock)
  --idle-timeout SEC     close connections idle this long (default 300, 0 = never);
                         MSRP connections carrying a session stay open
  --log-level LEVEL      error, warn, info or debug (default info)
  --path-host HOST       host written into the msrp: paths the relay hands out
                         (default: the listen address's host)
  --session-idle-timeout SEC
                         delete sessions without MSRP traffic this long
                         (default 3600, 0 = never)
  --write-queue-limit BYTES
                         stop reading from senders while a receiver has more
                         than this queued for writing (default 1048576)
  --tls-listen ADDR:PORT also accept MSRP over TLS (msrps) there (default off)
  --tls-certificate FILE PEM certificate chain presented on TLS connections
  --tls-private-key FILE PEM private key of that certificate
  --store-database FILE  SQLite database where endpoint sessions and
                         conference recorders store messages (table of
                         sql/msrp_relay-create.sql; default off)
  --auth-users FILE      RFC 4976 AUTH: the users who may use this relay, one
                         "user:password" or "user:realm:HA1" line each
                         (default off: AUTH is answered 403)
  --auth-realm REALM     Digest realm of the challenge (default: the path host)
  --auth-expires SEC     grant lifetime when the AUTH asks for none (default 1800)
  --auth-min-expires SEC shortest Expires an AUTH may ask for (default 60)
  --auth-max-expires SEC longest Expires an AUTH may ask for (default 3600)
  --auth-over-tcp yes|no take AUTH over plain TCP too (default no: TLS only)
  --tls-ca-file FILE     PEM CA certificates that outbound msrps next hops are
                         verified against (default: the system's)
  --config FILE          read "key = value" lines: listen, control_socket,
                         idle_timeout, log_level, path_host,
                         session_idle_timeout, write_queue_limit, tls_listen,
                         tls_certificate, tls_private_key, store_database,
                         auth_users, auth_realm, auth_expires,
                         auth_min_expires, auth_max_expires, auth_over_tcp,
                         tls_ca_file
  -h, --help             show this text

SIGINT or SIGTERM stops the relay gracefully.
)";
    return text;
}

}  // namespace im::msrp_relay

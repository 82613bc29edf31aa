#pragma once
// Relay settings: defaults, then the --config file, then the command line
// (the command line wins). Every key has the same name in both places.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/relay/control_client.hpp"
#include "im/relay/control_protocol.hpp"
#include "msrp_relay/logger.hpp"

namespace im::msrp_relay {

// An IP literal and a port; IPv6 is written "[::1]:2855".
struct ListenAddress {
    std::string host = "127.0.0.1";
    std::uint16_t port = 2855;

    std::string to_string() const;
    bool operator==(const ListenAddress &) const = default;
};

std::optional<ListenAddress> parse_listen_address(std::string_view text);

struct RelayConfig {
    ListenAddress listen;
    std::string control_socket = std::string(im::relay::kDefaultControlSocketPath);
    // Connections without traffic for this long are closed; zero disables.
    std::chrono::milliseconds idle_timeout = std::chrono::seconds(300);
    LogLevel log_level = LogLevel::Info;
    // Host in the msrp: URIs handed out by SESSION_CREATE; empty means the
    // listen host (set it when listening on 0.0.0.0 or behind NAT).
    std::string path_host;
    // Sessions without MSRP traffic for this long are deleted; zero disables.
    // A safety net: the modules delete sessions when the SIP session ends,
    // and a chat may be silent for a long time.
    std::chrono::milliseconds session_idle_timeout = std::chrono::seconds(3600);
    // Back-pressure threshold: a connection whose unsent bytes exceed this
    // pauses reading from every sender feeding it until half has drained.
    std::size_t write_queue_limit = 1024 * 1024;
    // msrps (TLS): a second listen address, with the PEM certificate chain
    // and private key it presents. Off unless tls_listen is set.
    std::optional<ListenAddress> tls_listen;
    std::string tls_certificate;
    std::string tls_private_key;
    // SQLite database for endpoint sessions and recorders (the table of
    // sql/msrp_relay-create.sql); empty: none, and those are refused.
    std::string store_database;
    // RFC 4976 AUTH: the users who may use this relay as their own (a file
    // of "user:password" or "user:realm:HA1" lines; empty: AUTH answered
    // 403), the Digest realm (empty: the path host), the grant lifetime and
    // its bounds, and whether AUTH is taken over plain TCP (default: only
    // over TLS, as RFC 4976 6.1 wants).
    std::string auth_users;
    std::string auth_realm;
    std::chrono::seconds auth_expires{1800};
    std::chrono::seconds auth_min_expires{60};
    std::chrono::seconds auth_max_expires{3600};
    bool auth_over_tcp = false;
    // Outbound msrps connections verify the next hop's certificate against
    // these PEM CA certificates (empty: the system's trusted CAs).
    std::string tls_ca_file;

    std::string effective_path_host() const { return path_host.empty() ? listen.host : path_host; }
    std::string effective_auth_realm() const { return auth_realm.empty() ? effective_path_host() : auth_realm; }
};

// A config that cannot work as a whole (e.g. TLS without a certificate), or nullopt.
std::optional<std::string> check_config(const RelayConfig &config);

// One "key = value" from either source, with where it came from for messages.
struct Setting {
    std::string key;
    std::string value;
    std::string origin;  // "--listen" or "relay.conf:3"
};

struct Arguments {
    bool help = false;
    std::optional<std::string> config_file;
    std::vector<Setting> settings;
};

template <typename T>
using ConfigOutcome = im::relay::Outcome<T, std::string>;

// args excludes the program name. Accepts "--key value" and "--key=value".
ConfigOutcome<Arguments> parse_arguments(const std::vector<std::string_view> &args);
// "key = value" lines; blank lines and lines starting with '#' are skipped.
ConfigOutcome<std::vector<Setting>> parse_config_text(std::string_view text, std::string_view file_name);
// Applies settings in order, so later ones override earlier ones; returns
// the first problem, if any.
std::optional<std::string> apply_settings(RelayConfig &config, const std::vector<Setting> &settings);
// The whole of a text file (the config file, auth_users); nullopt when it
// cannot be read.
std::optional<std::string> read_text_file(const std::string &path);
// Defaults, then the file named by --config (if any), then the command line.
ConfigOutcome<RelayConfig> resolve_config(const Arguments &arguments);

std::string usage_text(std::string_view program);

}  // namespace im::msrp_relay

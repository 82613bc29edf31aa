#include "msrp_relay/relay_server.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <csignal>
#include <random>
#include <utility>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>

#include "control_server.hpp"
#include "im/msrp/message_store.hpp"
#include "im/relay/control_protocol.hpp"
#include "msrp_dispatcher.hpp"
#include "msrp_listener.hpp"
#include "msrp_relay/msrp_switch.hpp"
#include "msrp_relay/relay_auth.hpp"
#include "msrp_relay/session_commands.hpp"
#include "msrp_relay/session_registry.hpp"
#include "traffic_counters.hpp"

#ifndef IM_RELAY_VERSION
#error "IM_RELAY_VERSION must be defined by the build"
#endif

namespace im::msrp_relay {
namespace {

// Session and participant ids are capabilities, so they come from the
// kernel's CSPRNG (std::random_device reads it on Linux), not a seeded engine.
im::msrp::RandomSource kernel_random()
{
    auto device = std::make_shared<std::random_device>();
    return [device] { return (std::uint64_t{(*device)()} << 32) | (*device)(); };
}

// Transaction ids and Message-IDs only need to be unique and unpredictable
// enough not to collide (RFC 4975 7.1: 64 bits of randomness): a 64-bit
// engine seeded from the kernel, without a system call per id.
im::msrp::RandomSource seeded_engine_random()
{
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device(), device(), device(), device(), device()};
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine] { return (*engine)(); };
}

// TLS 1.2 at least (RFC 4975 14.2 asks for TLS; older versions are broken).
void allow_modern_tls_only(asio::ssl::context &context, asio::error_code &error)
{
    context.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1,
                        error);
}

}  // namespace

class RelayServer::Impl {
public:
    Impl(RelayConfig config, Logger &log)
        : config_(std::move(config)), log_(log), address_{config_.effective_path_host(), config_.listen.port, std::nullopt},
          sessions_(kernel_random()),
          switch_(sessions_, address_, seeded_engine_random(), [] { return std::chrono::system_clock::now(); }),
          commands_(sessions_, address_, [] { return SteadyClock::now(); }),
          tls_client_context_(asio::ssl::context::tls_client),
          dispatcher_(switch_, ConnectionOptions{config_.idle_timeout, config_.write_queue_limit}, traffic_, log_,
                      io_.get_executor(), &tls_client_context_),
          msrp_(io_, dispatcher_, log_),
          tls_context_(asio::ssl::context::tls_server),
          msrps_(io_, dispatcher_, log_, &tls_context_),
          control_(io_, [this](std::string_view line) { return answer(line); }, config_.idle_timeout, log_),
          signals_(io_), expiry_timer_(io_)
    {
    }

    std::optional<std::string> open()
    {
        if (!config_.store_database.empty()) {
            auto store = im::msrp::SqliteMessageStore::open(config_.store_database);
            if (!store.ok()) return "cannot open the message store " + store.error().reason;
            store_ = std::move(store).value();
            switch_.set_store(store_.get());
        }
        commands_.attach(switch_, [this](std::vector<Outgoing> out) { dispatcher_.deliver(std::move(out)); });
        if (auto problem = load_auth()) return problem;
        if (auto problem = load_tls_client()) return problem;
        if (auto problem = msrp_.open(config_.listen)) return problem;
        if (config_.tls_listen) {
            if (auto problem = load_tls_credentials()) {
                msrp_.close();
                return problem;
            }
            if (auto problem = msrps_.open(*config_.tls_listen)) {
                msrp_.close();
                return problem;
            }
            address_.tls_port = msrps_.local_port();
        }
        if (auto problem = control_.open(config_.control_socket)) {
            msrp_.close();
            msrps_.close();
            return problem;
        }
        address_.port = msrp_.local_port();
        if (config_.tls_listen) log_.info("listening for MSRP over TLS (msrps) on " + msrps_.local_address());
        started_ = std::chrono::steady_clock::now();
        expire_sessions_periodically();
        log_.info("im-msrp-relay " IM_RELAY_VERSION " listening for MSRP on " + msrp_.local_address() +
                  ", control socket " + config_.control_socket);
        return std::nullopt;
    }

    std::optional<std::string> load_auth()
    {
        if (config_.auth_users.empty()) return std::nullopt;
        auto text = read_text_file(config_.auth_users);
        if (!text) return "cannot read auth_users file " + config_.auth_users;
        AuthSettings settings;
        settings.realm = config_.effective_auth_realm();
        settings.expires = config_.auth_expires;
        settings.min_expires = config_.auth_min_expires;
        settings.max_expires = config_.auth_max_expires;
        settings.allow_plain_tcp = config_.auth_over_tcp;
        auto users = AuthUsers::parse(*text, settings.realm, config_.auth_users);
        if (!users) return users.error();
        if (users.value().empty()) return "auth_users file " + config_.auth_users + " names no user of realm " + settings.realm;
        log_.info("RFC 4976 AUTH offered to " + std::to_string(users.value().size()) + " users, realm " + settings.realm +
                  (config_.auth_over_tcp ? ", over TCP and TLS" : ", over TLS only"));
        auth_ = std::make_unique<RelayAuth>(std::move(settings), std::move(users).value(), kernel_random());
        switch_.set_auth(auth_.get(), [this](const std::string &line) { log_.info("msrp: " + line); });
        return std::nullopt;
    }

    // Outbound msrps: TLS 1.2 or later, the next hop's certificate verified.
    std::optional<std::string> load_tls_client()
    {
        asio::error_code error;
        allow_modern_tls_only(tls_client_context_, error);
        if (!error) tls_client_context_.set_verify_mode(asio::ssl::verify_peer, error);
        if (!error) {
            if (config_.tls_ca_file.empty())
                tls_client_context_.set_default_verify_paths(error);
            else
                tls_client_context_.load_verify_file(config_.tls_ca_file, error);
        }
        if (error) return "cannot load the TLS CA certificates " + config_.tls_ca_file + ": " + error.message();
        return std::nullopt;
    }

    std::optional<std::string> load_tls_credentials()
    {
        asio::error_code error;
        allow_modern_tls_only(tls_context_, error);
        if (!error) tls_context_.use_certificate_chain_file(config_.tls_certificate, error);
        if (error) return "cannot load TLS certificate " + config_.tls_certificate + ": " + error.message();
        tls_context_.use_private_key_file(config_.tls_private_key, asio::ssl::context::pem, error);
        if (error) return "cannot load TLS private key " + config_.tls_private_key + ": " + error.message();
        return std::nullopt;
    }

    void stop_on_termination_signals()
    {
        signals_.add(SIGINT);
        signals_.add(SIGTERM);
        signals_.async_wait([this](const asio::error_code &error, int signal_number) {
            if (error) return;
            log_.info(std::string("received ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") + ", stopping");
            shut_down();
        });
    }

    void run()
    {
        io_.run();
        log_.info("stopped");
    }

    void stop()
    {
        asio::post(io_, [this] { shut_down(); });
    }

    MsrpListener &msrp() { return msrp_; }
    const MsrpListener &msrp() const { return msrp_; }
    const ControlServer &control() const { return control_; }

private:
    // Runs on the I/O thread. Once every socket is closed and the signal wait
    // cancelled, io_context::run() runs out of work and returns.
    void shut_down()
    {
        if (stopping_) return;
        stopping_ = true;
        asio::error_code ignored;
        signals_.cancel(ignored);
        expiry_timer_.cancel();
        msrp_.close();
        msrps_.close();
        control_.close();
    }

    // Every second, or at a tenth of a short session timeout, so a session
    // lives at most 10% (or 1 s) past its idle limit; unanswered forwarded
    // SENDs are failed in the same sweep.
    void expire_sessions_periodically()
    {
        auto period = std::chrono::milliseconds(std::chrono::seconds(1));
        if (config_.session_idle_timeout > std::chrono::milliseconds::zero())
            period = std::min(period, config_.session_idle_timeout / 10);
        expiry_timer_.expires_after(std::max(period, std::chrono::milliseconds(10)));
        expiry_timer_.async_wait([this](const asio::error_code &error) {
            if (error || stopping_) return;
            auto now = SteadyClock::now();
            dispatcher_.deliver(switch_.expire_transactions(now));
            if (auth_) auth_->expire(now);
            if (config_.session_idle_timeout <= std::chrono::milliseconds::zero()) {
                expire_sessions_periodically();
                return;
            }
            for (const std::string &id : sessions_.expire(now, config_.session_idle_timeout)) {
                ++traffic_.expired_sessions;
                log_.info("session " + id + " deleted after " +
                          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(config_.session_idle_timeout).count()) +
                          " s without MSRP traffic");
            }
            expire_sessions_periodically();
        });
    }

    im::relay::ControlReply answer_request(std::string_view line)
    {
        auto request = im::relay::parse_request(line);
        if (!request) return im::relay::ControlReply::error(im::relay::kErrMalformed, request.error().text);
        if (auto reply = commands_.answer(request.value())) {
            if (reply->ok && request.value().command != "SESSION_LIST" && request.value().command != "SESSION_SHOW")
                log_.info("control: " + request.value().command + " " +
                          (request.value().args.empty() ? std::string() : request.value().args[0]) + " -> " +
                          im::relay::serialize_reply(*reply).substr(0, 200));
            return *reply;
        }
        return im::relay::answer_request(request.value(), IM_RELAY_VERSION, snapshot());
    }

    std::string answer(std::string_view line)
    {
        auto reply = answer_request(line);
        std::string serialized = im::relay::serialize_reply(reply);
        if (log_.enabled(LogLevel::Debug)) {
            std::string_view request = line.substr(0, line.find('\n'));
            log_.debug("control: " + std::string(request.substr(0, 200)) + " -> " +
                       serialized.substr(0, serialized.size() - 1));
        }
        return serialized;
    }

    im::relay::RelayStatus snapshot() const
    {
        im::relay::RelayStatus status;
        status.uptime_seconds =
            std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started_).count();
        status.connections = msrp_.open_connections();
        status.sessions = sessions_.size();
        status.bytes_in = traffic_.bytes_in;
        status.bytes_out = traffic_.bytes_out;
        status.listen = msrp_.local_address();
        const SwitchCounters &counters = switch_.counters();
        status.messages_in = counters.messages_in;
        status.messages_out = counters.messages_out;
        status.counters = {
            {"errors.malformed", traffic_.malformed},
            {"errors.io", traffic_.io_errors},
            {"errors.tls", traffic_.tls_failures},
            {"errors.no_session", counters.no_session},
            {"errors.session_in_use", counters.session_in_use},
            {"errors.unknown_method", counters.unknown_method},
            {"errors.unsupported_media", counters.unsupported_media},
            {"errors.refused", counters.refused},
            {"errors.downstream", counters.downstream_failures},
            {"timeouts.connections", traffic_.idle_connections},
            {"timeouts.sessions", traffic_.expired_sessions},
            {"timeouts.transactions", counters.transaction_timeouts},
            {"flow.paused_reads", traffic_.paused_reads},
            {"errors.forbidden", counters.forbidden},
            {"errors.unreachable", counters.unreachable},
            {"connections.outbound", dispatcher_.outbound_connections()},
            {"outbound.opened", traffic_.outbound_opened},
            {"outbound.failed", traffic_.outbound_failed},
        };
        AuthCounters auth = auth_ ? auth_->counters() : AuthCounters{};
        status.counters.insert(status.counters.end(), {
            {"auth.grants", auth_ ? auth_->size() : 0},
            {"auth.challenges", auth.challenges},
            {"auth.granted", auth.granted},
            {"auth.refused", auth.refused},
            {"auth.forbidden", auth.forbidden},
            {"auth.out_of_bounds", auth.out_of_bounds},
            {"auth.expired", auth.expired},
        });
        return status;
    }

    // Declared first so it is destroyed last, after everything bound to it.
    asio::io_context io_;
    RelayConfig config_;
    Logger &log_;
    TrafficCounters traffic_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    RelayAddress address_;
    SessionRegistry sessions_;
    std::unique_ptr<im::msrp::SqliteMessageStore> store_;
    MsrpSwitch switch_;
    std::unique_ptr<RelayAuth> auth_;  // with auth_users
    SessionCommands commands_;
    asio::ssl::context tls_client_context_;
    MsrpDispatcher dispatcher_;
    MsrpListener msrp_;
    asio::ssl::context tls_context_;
    MsrpListener msrps_;  // opened only with tls_listen
    ControlServer control_;
    asio::signal_set signals_;
    asio::steady_timer expiry_timer_;
    bool stopping_ = false;
};

RelayServer::RelayServer(RelayConfig config, Logger &log) : impl_(std::make_unique<Impl>(std::move(config), log)) {}

RelayServer::~RelayServer() = default;

std::optional<std::string> RelayServer::open() { return impl_->open(); }
void RelayServer::stop_on_termination_signals() { impl_->stop_on_termination_signals(); }
void RelayServer::run() { impl_->run(); }
void RelayServer::stop() { impl_->stop(); }
std::uint16_t RelayServer::msrp_port() const { return impl_->msrp().local_port(); }
std::string RelayServer::msrp_address() const { return impl_->msrp().local_address(); }
const std::string &RelayServer::control_socket_path() const { return impl_->control().path(); }

}  // namespace im::msrp_relay

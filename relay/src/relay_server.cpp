#include "msrp_relay/relay_server.hpp"

#include <chrono>
#include <csignal>
#include <utility>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include "control_server.hpp"
#include "im/relay/control_protocol.hpp"
#include "msrp_listener.hpp"
#include "traffic_counters.hpp"

#ifndef IM_RELAY_VERSION
#error "IM_RELAY_VERSION must be defined by the build"
#endif

namespace im::msrp_relay {

class RelayServer::Impl {
public:
    Impl(RelayConfig config, Logger &log)
        : config_(std::move(config)), log_(log), msrp_(io_, traffic_, config_.idle_timeout, log_),
          control_(io_, [this](std::string_view line) { return answer(line); }, config_.idle_timeout, log_),
          signals_(io_)
    {
    }

    std::optional<std::string> open()
    {
        if (auto problem = msrp_.open(config_.listen)) return problem;
        if (auto problem = control_.open(config_.control_socket)) {
            msrp_.close();
            return problem;
        }
        started_ = std::chrono::steady_clock::now();
        log_.info("im-msrp-relay " IM_RELAY_VERSION " listening for MSRP on " + msrp_.local_address() +
                  ", control socket " + config_.control_socket);
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
        msrp_.close();
        control_.close();
    }

    std::string answer(std::string_view line)
    {
        auto reply = im::relay::answer_line(line, IM_RELAY_VERSION, snapshot());
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
        status.sessions = 0;  // MSRP sessions arrive with the relay issue
        status.bytes_in = traffic_.bytes_in;
        status.bytes_out = traffic_.bytes_out;
        status.listen = msrp_.local_address();
        return status;
    }

    // Declared first so it is destroyed last, after everything bound to it.
    asio::io_context io_;
    RelayConfig config_;
    Logger &log_;
    TrafficCounters traffic_;
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    MsrpListener msrp_;
    ControlServer control_;
    asio::signal_set signals_;
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

#pragma once
// Calls back once a connection has been silent for the idle limit. Activity
// only stamps a time; the timer re-arms for the remainder when it fires early,
// so busy connections cost no timer churn.
#include <chrono>
#include <utility>

#include <asio/steady_timer.hpp>

namespace im::msrp_relay {

class IdleWatch {
public:
    using Clock = std::chrono::steady_clock;

    IdleWatch(const asio::any_io_executor &executor, std::chrono::milliseconds limit)
        : timer_(executor), limit_(limit)
    {
    }

    // on_idle runs on the I/O thread; it should own a shared_ptr to the
    // connection, which keeps `this` alive while the timer is pending.
    template <typename OnIdle>
    void start(OnIdle on_idle)
    {
        touch();
        if (limit_ > std::chrono::milliseconds::zero()) arm(limit_, std::move(on_idle));
    }

    void touch() { last_activity_ = Clock::now(); }
    void cancel() { timer_.cancel(); }

private:
    template <typename OnIdle>
    void arm(Clock::duration delay, OnIdle on_idle)
    {
        timer_.expires_after(delay);
        timer_.async_wait([this, on_idle = std::move(on_idle)](const asio::error_code &error) mutable {
            if (error) return;  // cancelled: the connection closed
            auto silent = Clock::now() - last_activity_;
            if (silent >= limit_)
                on_idle();
            else
                arm(limit_ - silent, std::move(on_idle));
        });
    }

    asio::steady_timer timer_;
    std::chrono::milliseconds limit_;
    Clock::time_point last_activity_ = Clock::now();
};

}  // namespace im::msrp_relay

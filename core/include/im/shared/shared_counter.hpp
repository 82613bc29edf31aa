#pragma once
// A 64-bit counter in host shared memory, e.g. a generation number a process
// bumps after changing persistent state so that the other workers reload the
// caches they built from it.
#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>

#include "im/shared/shared_memory.hpp"

namespace im::shared {

// Like SharedTable, the handle is a process-local view that stays valid in
// forked children; destroying it frees nothing, the owner calls destroy().
class SharedCounter {
public:
    // std::nullopt when the host is out of memory.
    static std::optional<SharedCounter> create(SharedMemory memory, std::uint64_t initial = 0) noexcept;

    SharedCounter(const SharedCounter &) = delete;
    SharedCounter &operator=(const SharedCounter &) = delete;
    SharedCounter(SharedCounter &&other) noexcept
        : memory_(other.memory_), value_(std::exchange(other.value_, nullptr))
    {
    }
    SharedCounter &operator=(SharedCounter &&other) noexcept
    {
        memory_ = other.memory_;
        value_ = std::exchange(other.value_, nullptr);
        return *this;
    }
    ~SharedCounter() = default;  // frees nothing: see destroy()

    // Frees the counter; only once, in one process, when no other uses it.
    void destroy() noexcept;
    bool valid() const noexcept { return value_ != nullptr; }

    // Acquire: what was written before the matching increment() is visible.
    std::uint64_t value() const noexcept;
    // Release: publishes what this process wrote before; returns the new value.
    std::uint64_t increment() noexcept;

private:
    friend class GenerationWatcher;
    using Cell = std::atomic<std::uint64_t>;
    static_assert(Cell::is_always_lock_free, "only lock-free atomics work across processes");

    SharedCounter(SharedMemory memory, Cell *value) noexcept : memory_(memory), value_(value) {}

    SharedMemory memory_;
    Cell *value_;
};

// A process's memory of the last generation it acted on:
//     if (watcher.changed()) reload_cache();
class GenerationWatcher {
public:
    // The counter's shared cell is remembered, not the handle, so moving the
    // handle does not matter; the counter must not be destroyed while watched.
    explicit GenerationWatcher(const SharedCounter &generation) noexcept : cell_(generation.value_) {}

    // True on the first call and whenever the generation moved since the last
    // call; the generation read becomes the one seen.
    bool changed() noexcept;

private:
    const SharedCounter::Cell *cell_;
    std::optional<std::uint64_t> seen_;
};

}  // namespace im::shared

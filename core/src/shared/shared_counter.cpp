#include "im/shared/shared_counter.hpp"

namespace im::shared {

std::optional<SharedCounter> SharedCounter::create(SharedMemory memory, std::uint64_t initial) noexcept
{
    if (!memory.usable())
        return std::nullopt;
    Cell *value = memory.create<Cell>(initial);
    if (value == nullptr)
        return std::nullopt;
    return SharedCounter(memory, value);
}

void SharedCounter::destroy() noexcept
{
    memory_.destroy(std::exchange(value_, nullptr));
}

std::uint64_t SharedCounter::value() const noexcept
{
    return value_ != nullptr ? value_->load(std::memory_order_acquire) : 0;
}

std::uint64_t SharedCounter::increment() noexcept
{
    return value_ != nullptr ? value_->fetch_add(1, std::memory_order_acq_rel) + 1 : 0;
}

bool GenerationWatcher::changed() noexcept
{
    if (cell_ == nullptr)
        return false;
    const std::uint64_t now = cell_->load(std::memory_order_acquire);
    if (seen_ == now)
        return false;
    seen_ = now;
    return true;
}

}  // namespace im::shared

#include "im/shared/shared_memory.hpp"

namespace im::shared {

bool SharedMemory::usable() const noexcept
{
    return ops_->alloc != nullptr && ops_->free != nullptr && ops_->lock_create != nullptr &&
           ops_->lock_destroy != nullptr && ops_->lock_get != nullptr && ops_->lock_release != nullptr;
}

void *SharedMemory::allocate(std::size_t bytes) const noexcept
{
    return ops_->alloc(bytes);
}

void SharedMemory::deallocate(void *block) const noexcept
{
    // Kamailio's shm_free warns on NULL, so never pass it on.
    if (block != nullptr)
        ops_->free(block);
}

HostLock SharedMemory::create_lock() const noexcept
{
    return ops_->lock_create();
}

void SharedMemory::destroy_lock(HostLock lock) const noexcept
{
    if (lock != nullptr)
        ops_->lock_destroy(lock);
}

void SharedMemory::lock(HostLock lock) const noexcept
{
    ops_->lock_get(lock);
}

void SharedMemory::unlock(HostLock lock) const noexcept
{
    ops_->lock_release(lock);
}

}  // namespace im::shared

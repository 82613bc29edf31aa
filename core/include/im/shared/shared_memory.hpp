#pragma once
// C++ face of the host's im_shm_ops_t: typed blocks and locks in memory that
// every process of the host shares. Nothing here throws: a host that is out of
// memory gives nullptr, which callers turn into false / std::nullopt.
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "im_shared.h"

namespace im::shared {

// Largest alignment a type placed in host memory may ask for.
inline constexpr std::size_t kHostAlignment = IM_SHM_ALIGNMENT;

// An opaque host lock (whatever lock_create returned).
using HostLock = void *;

class SharedMemory {
public:
    // The ops table must outlive every use; hosts hand out a static one, which
    // stays at the same address in forked children.
    explicit SharedMemory(const im_shm_ops_t &ops) noexcept : ops_(&ops) {}

    // False when the host left an operation out; nothing can be created then.
    bool usable() const noexcept;

    // Raw block of `bytes`, aligned to kHostAlignment; nullptr on failure.
    void *allocate(std::size_t bytes) const noexcept;
    void deallocate(void *block) const noexcept;

    // Constructs a T in host memory; nullptr when the host is out of memory.
    template <typename T, typename... Args>
    T *create(Args &&...args) const noexcept
    {
        static_assert(alignof(T) <= kHostAlignment, "host memory is only aligned to IM_SHM_ALIGNMENT");
        static_assert(std::is_nothrow_constructible_v<T, Args...>, "no exceptions while placing in host memory");
        void *block = allocate(sizeof(T));
        return block != nullptr ? ::new (block) T(std::forward<Args>(args)...) : nullptr;
    }

    // Destroys and frees what create() returned; nullptr is ignored.
    template <typename T>
    void destroy(T *object) const noexcept
    {
        if (object != nullptr) {
            object->~T();
            deallocate(object);
        }
    }

    // Whether the host can tell which addresses are its memory (the optional
    // contains operation); lock-free readers need it.
    bool knows_bounds() const noexcept { return ops_->contains != nullptr; }
    // True when the `bytes` at p lie wholly in host memory (false when the
    // host cannot tell). Host memory stays mapped, freed blocks included.
    bool contains(const void *p, std::size_t bytes) const noexcept
    {
        return ops_->contains != nullptr && ops_->contains(p, bytes) != 0;
    }

    // A new unlocked host lock, nullptr on failure.
    HostLock create_lock() const noexcept;
    void destroy_lock(HostLock lock) const noexcept;
    void lock(HostLock lock) const noexcept;
    void unlock(HostLock lock) const noexcept;

private:
    const im_shm_ops_t *ops_;
};

// Holds a host lock for its scope, released also when a callback throws.
class LockGuard {
public:
    LockGuard(SharedMemory memory, HostLock lock) noexcept : memory_(memory), lock_(lock)
    {
        memory_.lock(lock_);
    }
    ~LockGuard() { memory_.unlock(lock_); }

    LockGuard(const LockGuard &) = delete;
    LockGuard &operator=(const LockGuard &) = delete;
    LockGuard(LockGuard &&) = delete;
    LockGuard &operator=(LockGuard &&) = delete;

private:
    SharedMemory memory_;
    HostLock lock_;
};

}  // namespace im::shared

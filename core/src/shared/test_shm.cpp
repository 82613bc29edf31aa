#include "im/shared/test_shm.hpp"

#include <pthread.h>
#include <sys/mman.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

namespace im::shared {
namespace {

// Every block and block header is a multiple of this, which also covers
// IM_SHM_ALIGNMENT and pthread_mutex_t.
constexpr std::size_t kGranule = 16;
static_assert(kGranule % IM_SHM_ALIGNMENT == 0);

constexpr std::size_t round_up(std::size_t n) { return (n + kGranule - 1) / kGranule * kGranule; }

[[noreturn]] void die(const char *what, int error = 0)
{
    std::fprintf(stderr, "test_shm: %s%s%s\n", what, error != 0 ? ": " : "", error != 0 ? std::strerror(error) : "");
    std::abort();
}

// Tells a block in use from a free one, to catch double and foreign frees.
enum class BlockState : std::uint64_t { in_use = 0x1e5a11c0c0ffee01, free = 0x1e5a11c0deadbe02 };

struct BlockHeader {
    std::size_t size;  // payload bytes, a multiple of kGranule
    BlockState state;

    char *payload() { return reinterpret_cast<char *>(this) + sizeof(BlockHeader); }
    char *end() { return payload() + size; }
    static BlockHeader *of(void *payload) { return reinterpret_cast<BlockHeader *>(static_cast<char *>(payload) - sizeof(BlockHeader)); }

    // Free blocks only: the next free block by address, kept in the payload.
    BlockHeader *next_free()
    {
        BlockHeader *next = nullptr;
        std::memcpy(&next, payload(), sizeof next);
        return next;
    }
    void set_next_free(BlockHeader *next) { std::memcpy(payload(), &next, sizeof next); }
};
static_assert(sizeof(BlockHeader) == kGranule);

// Holds a process-shared mutex for its scope; failures abort (test host).
class MutexGuard {
public:
    explicit MutexGuard(pthread_mutex_t &mutex) : mutex_(mutex)
    {
        if (const int rc = pthread_mutex_lock(&mutex_); rc != 0)
            die("arena lock", rc);
    }
    ~MutexGuard() { pthread_mutex_unlock(&mutex_); }
    MutexGuard(const MutexGuard &) = delete;
    MutexGuard &operator=(const MutexGuard &) = delete;
    MutexGuard(MutexGuard &&) = delete;
    MutexGuard &operator=(MutexGuard &&) = delete;

private:
    pthread_mutex_t &mutex_;
};

bool init_shared_mutex(pthread_mutex_t &mutex)
{
    pthread_mutexattr_t attr;
    if (pthread_mutexattr_init(&attr) != 0)
        return false;
    const bool ok = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) == 0 &&
                    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK) == 0 &&
                    pthread_mutex_init(&mutex, &attr) == 0;
    pthread_mutexattr_destroy(&attr);
    return ok;
}

// Lives at the start of its own mapping; blocks follow it.
class Arena {
public:
    static Arena *map(std::size_t bytes) noexcept
    {
        void *region = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (region == MAP_FAILED)
            return nullptr;
        auto *arena = ::new (region) Arena(bytes);
        if (!init_shared_mutex(arena->mutex_)) {
            munmap(region, bytes);
            return nullptr;
        }
        return arena;
    }

    // True when [p, p + size) lies inside the mapping (which is never unmapped).
    bool holds(const void *p, std::size_t size) const noexcept
    {
        const auto begin = reinterpret_cast<std::uintptr_t>(this);
        const auto end = reinterpret_cast<std::uintptr_t>(limit_);
        const auto at = reinterpret_cast<std::uintptr_t>(p);
        return at >= begin && at <= end && size <= end - at;
    }

    // Lives in its mapping for good: never copied, moved or destroyed.
    Arena(const Arena &) = delete;
    Arena &operator=(const Arena &) = delete;
    Arena(Arena &&) = delete;
    Arena &operator=(Arena &&) = delete;

    void *allocate(std::size_t size) noexcept
    {
        // At least one granule: room for the free-list link once freed.
        const std::size_t need = round_up(size == 0 ? 1 : size);
        if (need < size)  // wrapped around
            return nullptr;
        MutexGuard guard(mutex_);
        BlockHeader *block = take_free(need);
        if (block == nullptr)
            block = take_fresh(need);
        if (block == nullptr)
            return nullptr;
        block->state = BlockState::in_use;
        ++usage_.blocks;
        usage_.bytes += block->size;
        return block->payload();
    }

    void release(void *payload) noexcept
    {
        if (payload == nullptr)
            return;
        BlockHeader *block = BlockHeader::of(payload);
        bool ours = false;
        {
            MutexGuard guard(mutex_);
            ours = reinterpret_cast<char *>(block) >= blocks_begin() && reinterpret_cast<char *>(block) < top_ &&
                   block->state == BlockState::in_use;
            if (ours) {
                --usage_.blocks;
                usage_.bytes -= block->size;
                give_back(block);
            }
        }
        // Dying with the arena mutex held would hang every other process.
        if (!ours)
            die("free of a block not allocated from the arena, or freed twice");
    }

    TestShmUsage usage() noexcept
    {
        MutexGuard guard(mutex_);
        return usage_;
    }

private:
    explicit Arena(std::size_t bytes)
        : limit_(reinterpret_cast<char *>(this) + bytes), top_(blocks_begin())
    {
    }

    char *blocks_begin() { return reinterpret_cast<char *>(this) + round_up(sizeof(Arena)); }

    // First fit; a block much larger than needed is split and its tail stays free.
    BlockHeader *take_free(std::size_t need)
    {
        BlockHeader *previous = nullptr;
        for (BlockHeader *block = free_head_; block != nullptr; previous = block, block = block->next_free()) {
            if (block->size < need)
                continue;
            BlockHeader *rest = block->next_free();
            if (block->size >= need + sizeof(BlockHeader) + kGranule) {
                auto *tail = reinterpret_cast<BlockHeader *>(block->payload() + need);
                tail->size = block->size - need - sizeof(BlockHeader);
                tail->state = BlockState::free;
                tail->set_next_free(rest);
                rest = tail;
                block->size = need;
            }
            link_after(previous, rest);
            return block;
        }
        return nullptr;
    }

    BlockHeader *take_fresh(std::size_t need)
    {
        const auto room = static_cast<std::size_t>(limit_ - top_);
        if (room < sizeof(BlockHeader) || room - sizeof(BlockHeader) < need)
            return nullptr;
        auto *block = reinterpret_cast<BlockHeader *>(top_);
        block->size = need;
        top_ = block->end();
        return block;
    }

    // Inserts by address, merging with free neighbours; a free block that
    // ends at the top of the arena gives its space back to the top.
    void give_back(BlockHeader *block)
    {
        block->state = BlockState::free;
        BlockHeader *previous = nullptr;
        BlockHeader *next = free_head_;
        while (next != nullptr && next < block) {
            previous = next;
            next = next->next_free();
        }
        if (next != nullptr && block->end() == reinterpret_cast<char *>(next)) {
            block->size += sizeof(BlockHeader) + next->size;
            next = next->next_free();
        }
        block->set_next_free(next);
        if (previous != nullptr && previous->end() == reinterpret_cast<char *>(block)) {
            previous->size += sizeof(BlockHeader) + block->size;
            previous->set_next_free(next);
            block = previous;
        } else {
            link_after(previous, block);
        }
        if (block->end() == top_ && block->next_free() == nullptr) {
            top_ = reinterpret_cast<char *>(block);
            unlink_last(block);
        }
    }

    void link_after(BlockHeader *previous, BlockHeader *block)
    {
        if (previous == nullptr)
            free_head_ = block;
        else
            previous->set_next_free(block);
    }

    void unlink_last(BlockHeader *last)
    {
        if (free_head_ == last) {
            free_head_ = nullptr;
            return;
        }
        BlockHeader *block = free_head_;
        while (block->next_free() != last)
            block = block->next_free();
        block->set_next_free(nullptr);
    }

    pthread_mutex_t mutex_{};
    char *const limit_;
    char *top_;  // blocks end here; above is untouched space
    BlockHeader *free_head_ = nullptr;
    TestShmUsage usage_{};
};

Arena *process_arena() noexcept
{
    // Never destroyed: forked children and late static destructors may still
    // hold blocks, and the process-shared mutex must outlive every process.
    static Arena *const arena = Arena::map(kTestArenaBytes);
    return arena;
}

}  // namespace

extern "C" {

static void *test_shm_alloc(size_t size)
{
    Arena *arena = process_arena();
    return arena != nullptr ? arena->allocate(size) : nullptr;
}

static void test_shm_free(void *block)
{
    if (Arena *arena = process_arena())
        arena->release(block);
}

static void *test_shm_lock_create()
{
    void *block = test_shm_alloc(sizeof(pthread_mutex_t));
    if (block == nullptr)
        return nullptr;
    auto *mutex = ::new (block) pthread_mutex_t{};
    if (!init_shared_mutex(*mutex)) {
        test_shm_free(block);
        return nullptr;
    }
    return mutex;
}

static void test_shm_lock_destroy(void *lock)
{
    if (lock == nullptr)
        return;
    if (const int rc = pthread_mutex_destroy(static_cast<pthread_mutex_t *>(lock)); rc != 0)
        die("destroying a lock that is held", rc);
    test_shm_free(lock);
}

static void test_shm_lock_get(void *lock)
{
    if (const int rc = pthread_mutex_lock(static_cast<pthread_mutex_t *>(lock)); rc != 0)
        die("lock_get (a lock taken twice by one holder?)", rc);
}

static void test_shm_lock_release(void *lock)
{
    if (const int rc = pthread_mutex_unlock(static_cast<pthread_mutex_t *>(lock)); rc != 0)
        die("lock_release of a lock not held", rc);
}

static int test_shm_contains(const void *p, size_t size)
{
    const Arena *arena = process_arena();
    return arena != nullptr && arena->holds(p, size) ? 1 : 0;
}

}  // extern "C"

const im_shm_ops_t &test_shm_ops() noexcept
{
    static constexpr im_shm_ops_t ops{
        test_shm_alloc,    test_shm_free,         test_shm_lock_create, test_shm_lock_destroy,
        test_shm_lock_get, test_shm_lock_release, test_shm_contains,
    };
    process_arena();  // map now, so that children forked from here on share it
    return ops;
}

TestShmUsage test_shm_usage() noexcept
{
    Arena *arena = process_arena();
    return arena != nullptr ? arena->usage() : TestShmUsage{};
}

}  // namespace im::shared

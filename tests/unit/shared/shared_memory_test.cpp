#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>

#include "im/shared/shared_memory.hpp"
#include "im/shared/test_shm.hpp"

using im::shared::LockGuard;
using im::shared::SharedMemory;
using im::shared::test_shm_ops;
using im::shared::test_shm_usage;

namespace {

// A host whose locks only record what was done to them.
class RecordingLocks {
public:
    static std::string &journal()
    {
        static std::string events;
        return events;
    }
    static const im_shm_ops_t &ops()
    {
        static const im_shm_ops_t recording{test_shm_ops().alloc, test_shm_ops().free, create, destroy, get, release, nullptr};
        return recording;
    }

private:
    static void *create() { return &journal(); }
    static void destroy(void *) { journal() += "x"; }
    static void get(void *) { journal() += "("; }
    static void release(void *) { journal() += ")"; }
};

struct Pair {
    std::int64_t first;
    std::int64_t second;
};

TEST(SharedMemory, CreateConstructsInHostMemoryAndDestroyFreesIt)
{
    const SharedMemory memory(test_shm_ops());
    const auto before = test_shm_usage();
    Pair *pair = memory.create<Pair>(Pair{1, 2});
    ASSERT_NE(pair, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(pair) % im::shared::kHostAlignment, 0u);
    EXPECT_EQ(pair->second, 2);
    EXPECT_EQ(test_shm_usage().blocks, before.blocks + 1);
    memory.destroy(pair);
    memory.destroy<Pair>(nullptr);
    EXPECT_EQ(test_shm_usage().blocks, before.blocks);
}

TEST(SharedMemory, CreateGivesNullWhenTheHostIsOutOfMemory)
{
    im_shm_ops_t starved = test_shm_ops();
    starved.alloc = [](size_t) -> void * { return nullptr; };
    const SharedMemory memory(starved);
    EXPECT_EQ(memory.create<Pair>(), nullptr);
    EXPECT_EQ(memory.allocate(16), nullptr);
}

TEST(SharedMemory, LockGuardHoldsTheLockForItsScopeEvenWhenUnwinding)
{
    const SharedMemory memory(RecordingLocks::ops());
    RecordingLocks::journal().clear();
    im::shared::HostLock lock = memory.create_lock();
    {
        LockGuard guard(memory, lock);
        EXPECT_EQ(RecordingLocks::journal(), "(");
    }
    EXPECT_EQ(RecordingLocks::journal(), "()");
    try {
        LockGuard guard(memory, lock);
        throw std::runtime_error("unwinding");
    } catch (const std::runtime_error &) {
    }
    EXPECT_EQ(RecordingLocks::journal(), "()()");
    memory.destroy_lock(lock);
    memory.destroy_lock(nullptr);  // ignored
    EXPECT_EQ(RecordingLocks::journal(), "()()x");
}

}  // namespace

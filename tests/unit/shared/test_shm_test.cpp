// The test host itself: the other shared tests trust its allocator and locks.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "im/shared/test_shm.hpp"

using im::shared::kTestArenaBytes;
using im::shared::test_shm_ops;
using im::shared::test_shm_usage;

namespace {

TEST(SharedTestHost, BlocksAreAlignedDistinctAndCounted)
{
    const im_shm_ops_t &ops = test_shm_ops();
    const auto before = test_shm_usage();
    std::vector<char *> blocks;
    for (std::size_t size : {0u, 1u, 7u, 8u, 16u, 17u, 100u, 4096u}) {
        auto *block = static_cast<char *>(ops.alloc(size));
        ASSERT_NE(block, nullptr);
        EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % IM_SHM_ALIGNMENT, 0u);
        std::memset(block, 0xab, size);
        blocks.push_back(block);
    }
    EXPECT_EQ(test_shm_usage().blocks, before.blocks + blocks.size());
    for (std::size_t i = 1; i < blocks.size(); ++i)
        EXPECT_NE(blocks[i], blocks[i - 1]);
    for (char *block : blocks)
        ops.free(block);
    ops.free(nullptr);
    EXPECT_EQ(test_shm_usage().blocks, before.blocks);
    EXPECT_EQ(test_shm_usage().bytes, before.bytes);
}

TEST(SharedTestHost, FreedNeighboursMergeAndAreReused)
{
    const im_shm_ops_t &ops = test_shm_ops();
    void *keep_below = ops.alloc(64);
    void *a = ops.alloc(64);
    void *b = ops.alloc(64);
    void *c = ops.alloc(64);
    void *keep_above = ops.alloc(64);  // so that the freed run does not reach the top
    ops.free(b);
    ops.free(a);
    ops.free(c);
    // a, b and c with the two headers between them form one free block.
    void *merged = ops.alloc(3 * 64 + 2 * 16);
    EXPECT_EQ(merged, a);
    void *small = ops.alloc(32);
    EXPECT_NE(small, nullptr);
    for (void *block : {merged, small, keep_below, keep_above})
        ops.free(block);
}

TEST(SharedTestHost, ImpossibleRequestsGiveNull)
{
    const im_shm_ops_t &ops = test_shm_ops();
    EXPECT_EQ(ops.alloc(kTestArenaBytes), nullptr);
    EXPECT_EQ(ops.alloc(std::numeric_limits<std::size_t>::max()), nullptr);
    EXPECT_EQ(ops.alloc(std::numeric_limits<std::size_t>::max() - 8), nullptr);
}

TEST(SharedTestHost, ContainsTellsArenaMemoryFromAnyOther)
{
    const im_shm_ops_t &ops = test_shm_ops();
    ASSERT_NE(ops.contains, nullptr);
    auto *block = static_cast<char *>(ops.alloc(64));
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(ops.contains(block, 64), 1);
    ops.free(block);
    EXPECT_EQ(ops.contains(block, 64), 1) << "a freed block stays mapped, so readers may still look at it";
    int on_stack = 0;
    EXPECT_EQ(ops.contains(&on_stack, sizeof on_stack), 0);
    EXPECT_EQ(ops.contains(block, kTestArenaBytes), 0) << "a range running past the arena's end";
    EXPECT_EQ(ops.contains(block, std::numeric_limits<std::size_t>::max()), 0);
    EXPECT_EQ(ops.contains(nullptr, 1), 0);
}

TEST(SharedTestHost, ChildAllocationIsReadableByTheParent)
{
    const im_shm_ops_t &ops = test_shm_ops();
    int channel[2];
    ASSERT_EQ(pipe(channel), 0);
    const pid_t child = fork();
    if (child == 0) {
        auto *text = static_cast<char *>(ops.alloc(32));
        if (text == nullptr)
            _exit(1);
        std::strcpy(text, "written by the child");
        _exit(write(channel[1], &text, sizeof text) == sizeof text ? 0 : 1);
    }
    char *text = nullptr;
    ASSERT_EQ(read(channel[0], &text, sizeof text), static_cast<ssize_t>(sizeof text));
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_STREQ(text, "written by the child");
    ops.free(text);
    close(channel[0]);
    close(channel[1]);
}

TEST(SharedTestHost, LockHeldByAChildKeepsTheParentWaiting)
{
    const im_shm_ops_t &ops = test_shm_ops();
    void *lock = ops.lock_create();
    ASSERT_NE(lock, nullptr);
    auto *order = static_cast<int *>(ops.alloc(sizeof(int)));
    *order = 0;
    int held[2];
    ASSERT_EQ(pipe(held), 0);
    const pid_t child = fork();
    if (child == 0) {
        ops.lock_get(lock);
        if (write(held[1], "x", 1) != 1)
            _exit(1);
        usleep(100 * 1000);
        *order = 1;  // the parent must not get the lock before this
        ops.lock_release(lock);
        _exit(0);
    }
    char byte = 0;
    ASSERT_EQ(read(held[0], &byte, 1), 1);
    ops.lock_get(lock);
    EXPECT_EQ(*order, 1);
    ops.lock_release(lock);
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_EQ(WEXITSTATUS(status), 0);
    ops.lock_destroy(lock);
    ops.free(order);
    close(held[0]);
    close(held[1]);
}

TEST(SharedTestHostDeathTest, DoubleFreeAborts)
{
    const im_shm_ops_t &ops = test_shm_ops();
    EXPECT_DEATH(
        {
            void *block = ops.alloc(8);
            ops.free(block);
            ops.free(block);
        },
        "freed twice");
}

TEST(SharedTestHostDeathTest, TakingALockTwiceAborts)
{
    const im_shm_ops_t &ops = test_shm_ops();
    EXPECT_DEATH(
        {
            void *lock = ops.lock_create();
            ops.lock_get(lock);
            ops.lock_get(lock);
        },
        "taken twice");
}

}  // namespace

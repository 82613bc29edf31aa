#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <vector>

#include "im/shared/shared_counter.hpp"
#include "im/shared/test_shm.hpp"

using im::shared::GenerationWatcher;
using im::shared::SharedCounter;
using im::shared::SharedMemory;
using im::shared::test_shm_ops;
using im::shared::test_shm_usage;

namespace {

void *no_memory(size_t) { return nullptr; }

bool child_succeeded(pid_t pid)
{
    int status = 0;
    return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST(SharedCounter, StartsAtInitialAndIncrementReturnsTheNewValue)
{
    const auto before = test_shm_usage();
    auto counter = SharedCounter::create(SharedMemory(test_shm_ops()), 41);
    ASSERT_TRUE(counter);
    EXPECT_EQ(counter->value(), 41u);
    EXPECT_EQ(counter->increment(), 42u);
    EXPECT_EQ(counter->value(), 42u);
    counter->destroy();
    EXPECT_FALSE(counter->valid());
    EXPECT_EQ(test_shm_usage().blocks, before.blocks);
    counter->destroy();  // harmless
}

TEST(SharedCounter, HostWithoutMemoryGivesNoCounter)
{
    im_shm_ops_t starved = test_shm_ops();
    starved.alloc = no_memory;
    EXPECT_FALSE(SharedCounter::create(SharedMemory(starved)));
}

TEST(SharedCounter, IncrementsFromFourProcessesAddUpExactly)
{
    auto counter = SharedCounter::create(SharedMemory(test_shm_ops()));
    ASSERT_TRUE(counter);
    constexpr int kChildren = 4;
    constexpr int kIncrements = 20000;
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c) {
        const pid_t pid = fork();
        if (pid == 0) {
            for (int i = 0; i < kIncrements; ++i)
                counter->increment();
            _exit(0);
        }
        children.push_back(pid);
    }
    for (pid_t child : children)
        EXPECT_TRUE(child_succeeded(child));
    EXPECT_EQ(counter->value(), std::uint64_t{kChildren} * kIncrements);
    counter->destroy();
}

TEST(SharedCounter, WatcherReportsTheFirstCheckAndEachChangeOnce)
{
    auto generation = SharedCounter::create(SharedMemory(test_shm_ops()));
    ASSERT_TRUE(generation);
    GenerationWatcher watcher(*generation);
    EXPECT_TRUE(watcher.changed());  // nothing loaded yet
    EXPECT_FALSE(watcher.changed());
    generation->increment();
    generation->increment();
    EXPECT_TRUE(watcher.changed());
    EXPECT_FALSE(watcher.changed());

    SharedCounter moved(std::move(*generation));  // the watcher follows the cell, not the handle
    moved.increment();
    EXPECT_TRUE(watcher.changed());
    moved.destroy();
}

TEST(SharedCounter, WatcherInAnotherProcessSeesTheBump)
{
    auto generation = SharedCounter::create(SharedMemory(test_shm_ops()));
    ASSERT_TRUE(generation);
    GenerationWatcher watcher(*generation);
    ASSERT_TRUE(watcher.changed());  // this worker's cache is loaded

    const pid_t admin = fork();
    if (admin == 0) {
        generation->increment();  // e.g. after changing a group in the database
        _exit(0);
    }
    ASSERT_TRUE(child_succeeded(admin));
    EXPECT_TRUE(watcher.changed());
    EXPECT_FALSE(watcher.changed());
    generation->destroy();
}

}  // namespace

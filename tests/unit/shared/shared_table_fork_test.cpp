// The table across fork(), the way Kamailio uses it: created in the parent
// (mod_init), used by forked children (workers, timer).
#include <gtest/gtest.h>

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

#include "im/shared/shared_counter.hpp"
#include "im/shared/shared_table.hpp"
#include "im/shared/test_shm.hpp"

using im::shared::SharedCounter;
using im::shared::SharedMemory;
using im::shared::SharedTable;
using im::shared::test_shm_ops;
using im::shared::test_shm_usage;

namespace {

struct Counter {
    std::uint64_t value;
};
using CounterTable = SharedTable<Counter>;

constexpr int kChildren = 4;
constexpr int kCounters = 1000;

std::string counter_key(int i)
{
    return "counter-" + std::to_string(i);
}

// Lets forked children begin together once all of them are running, so that
// their work really overlaps.
class StartLine {
public:
    explicit StartLine(std::uint64_t runners)
        : runners_(runners), arrived_(SharedCounter::create(SharedMemory(test_shm_ops())))
    {
        if (!arrived_)
            throw std::runtime_error("no shared memory for the start line");
    }
    ~StartLine() { arrived_->destroy(); }
    StartLine(const StartLine &) = delete;
    StartLine &operator=(const StartLine &) = delete;

    // False when the others do not show up (a fork failed).
    bool arrive_and_wait() const
    {
        arrived_->increment();
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (arrived_->value() < runners_) {
            if (std::chrono::steady_clock::now() > deadline)
                return false;
            sched_yield();
        }
        return true;
    }

private:
    std::uint64_t runners_;
    mutable std::optional<SharedCounter> arrived_;
};

// Runs body in a forked child whose exit status tells whether body succeeded;
// the child leaves with _exit so that no gtest or static state runs twice.
pid_t spawn(const std::function<bool()> &body, const StartLine *start = nullptr)
{
    const pid_t pid = fork();
    if (pid == 0) {
        bool ok = false;
        try {
            ok = (start == nullptr || start->arrive_and_wait()) && body();
        } catch (...) {
        }
        _exit(ok ? 0 : 1);
    }
    return pid;
}

bool succeeded(pid_t pid)
{
    int status = 0;
    if (pid <= 0 || waitpid(pid, &status, 0) != pid)
        return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

class SharedTableAcrossProcesses : public ::testing::Test {
protected:
    void SetUp() override
    {
        baseline_ = test_shm_usage();  // also maps the arena before any fork
        auto created = CounterTable::create(SharedMemory(test_shm_ops()), 16);
        ASSERT_TRUE(created);
        table_.emplace(std::move(*created));
    }
    void TearDown() override
    {
        if (table_)
            table_->destroy();
        EXPECT_EQ(test_shm_usage().blocks, baseline_.blocks) << "shared memory leaked";
    }

    CounterTable &table() { return *table_; }

    im::shared::TestShmUsage baseline_;
    std::optional<CounterTable> table_;
};

TEST_F(SharedTableAcrossProcesses, ConcurrentUpdatesFromFourProcessesAddUpExactly)
{
    for (int i = 0; i < kCounters; ++i)
        ASSERT_TRUE(table().put(counter_key(i), Counter{0}));
    constexpr int kRounds = 100;
    const StartLine start(kChildren);

    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c)
        children.push_back(spawn(
            [&] {
                bool all_found = true;
                for (int round = 0; round < kRounds; ++round)
                    for (int i = 0; i < kCounters; ++i)
                        // A plain read-modify-write: only the bucket lock keeps it whole.
                        all_found &= table().update(counter_key(i), [](Counter &counter) {
                            const std::uint64_t read = counter.value;
                            counter.value = read + 1;
                        });
                return all_found;
            },
            &start));
    for (pid_t child : children)
        EXPECT_TRUE(succeeded(child));

    for (int i = 0; i < kCounters; ++i) {
        auto counter = table().get(counter_key(i));
        ASSERT_TRUE(counter);
        EXPECT_EQ(counter->value, std::uint64_t{kChildren * kRounds}) << counter_key(i);
    }
    EXPECT_EQ(table().size(), std::size_t{kCounters});
}

TEST_F(SharedTableAcrossProcesses, ConcurrentUpsertsInsertEachKeyOnce)
{
    const StartLine start(kChildren);
    std::vector<pid_t> children;
    for (int c = 0; c < kChildren; ++c)
        children.push_back(spawn(
            [&] {
                bool all_stored = true;
                for (int i = 0; i < kCounters; ++i)
                    all_stored &= table().upsert(counter_key(i), Counter{0}, [](Counter &counter) { ++counter.value; });
                return all_stored;
            },
            &start));
    for (pid_t child : children)
        EXPECT_TRUE(succeeded(child));

    EXPECT_EQ(table().size(), std::size_t{kCounters});
    std::size_t visited = 0;
    table().for_each([&](std::string_view, const Counter &counter) {
        ++visited;
        EXPECT_EQ(counter.value, std::uint64_t{kChildren});
    });
    EXPECT_EQ(visited, std::size_t{kCounters});
}

TEST_F(SharedTableAcrossProcesses, ChildChangesAreSeenByTheParent)
{
    ASSERT_TRUE(table().put("from-parent", Counter{1}));
    ASSERT_TRUE(succeeded(spawn([&] {
        return table().put("from-child", Counter{42}) && table().erase("from-parent");
    })));
    auto from_child = table().get("from-child");
    ASSERT_TRUE(from_child);
    EXPECT_EQ(from_child->value, 42u);
    EXPECT_FALSE(table().get("from-parent"));
    EXPECT_EQ(table().size(), 1u);
}

TEST_F(SharedTableAcrossProcesses, ParentChangesAfterForkAreSeenByTheChild)
{
    std::array<int, 2> go{};
    ASSERT_EQ(pipe(go.data()), 0);
    const pid_t child = spawn([&] {
        char byte = 0;
        close(go[1]);
        if (read(go[0], &byte, 1) != 1)
            return false;
        auto seen = table().get("late");
        return seen && seen->value == 7;
    });
    close(go[0]);
    ASSERT_TRUE(table().put("late", Counter{7}));
    ASSERT_EQ(write(go[1], "x", 1), 1);
    close(go[1]);
    EXPECT_TRUE(succeeded(child));
}

TEST_F(SharedTableAcrossProcesses, TimerChildPurgesWhileWorkersInsert)
{
    for (int i = 0; i < kCounters; ++i)
        ASSERT_TRUE(table().put("expired-" + std::to_string(i), Counter{0}));
    const StartLine start(2);
    const pid_t timer = spawn(
        [&] {
            return table().erase_if([](std::string_view key, const Counter &) { return key.starts_with("expired-"); }) ==
                   kCounters;
        },
        &start);
    const pid_t worker = spawn(
        [&] {
            bool all_stored = true;
            for (int i = 0; i < kCounters; ++i)
                all_stored &= table().put("fresh-" + std::to_string(i), Counter{1});
            return all_stored;
        },
        &start);
    EXPECT_TRUE(succeeded(timer));
    EXPECT_TRUE(succeeded(worker));
    EXPECT_EQ(table().size(), std::size_t{kCounters});
    EXPECT_FALSE(table().get("expired-0"));
    EXPECT_TRUE(table().get("fresh-999"));
}

TEST_F(SharedTableAcrossProcesses, EntriesAllocatedByChildrenAreFreedByTheParentsDestroy)
{
    ASSERT_TRUE(succeeded(spawn([&] {
        for (int i = 0; i < kCounters; ++i)
            if (!table().put(counter_key(i), Counter{1}))
                return false;
        return true;
    })));
    EXPECT_GT(test_shm_usage().blocks, baseline_.blocks + kCounters);
    table().destroy();
    table_.reset();
    EXPECT_EQ(test_shm_usage().blocks, baseline_.blocks);
}

// A value whose halves must always agree: a reader that returned a value
// half written by another process would show b != ~a.
struct Pair {
    std::uint64_t a;
    std::uint64_t b;
    std::uint64_t padding[6];
};
using PairTable = SharedTable<Pair>;

Pair pair_of(std::uint64_t a)
{
    return Pair{a, ~a, {}};
}

TEST(SharedTableReadsWithoutLock, ReadersSeeWholeValuesWhileWritersReplaceEraseAndReinsert)
{
    constexpr int kKeys = 24;
    constexpr int kRounds = 20000;
    const StartLine start(4);
    const auto baseline = test_shm_usage();
    // Two buckets: every chain is shared by many keys, and a block one writer
    // frees is soon reused by the other, under the readers' feet.
    auto created = PairTable::create(SharedMemory(test_shm_ops()), 2);
    ASSERT_TRUE(created);
    PairTable table = std::move(*created);
    ASSERT_TRUE(SharedMemory(test_shm_ops()).knows_bounds());
    ASSERT_TRUE(table.put("anchor", pair_of(0)));

    std::vector<pid_t> writers;
    for (int w = 0; w < 2; ++w)
        writers.push_back(spawn(
            [&, w] {
                bool ok = true;
                for (int round = 0; round < kRounds; ++round) {
                    const std::uint64_t stamp = static_cast<std::uint64_t>(round) * 2 + static_cast<std::uint64_t>(w);
                    for (int k = w; k < kKeys; k += 2) {
                        const std::string key = "key-" + std::to_string(k);
                        ok &= (round % 3 == 2) ? table.erase(key) : table.put(key, pair_of(stamp + k));
                    }
                    ok &= table.put("anchor", pair_of(stamp));
                }
                return ok;
            },
            &start));
    std::vector<pid_t> readers;
    for (int r = 0; r < 2; ++r)
        readers.push_back(spawn(
            [&] {
                std::uint64_t seen = 0;
                for (int round = 0; round < kRounds * 4; ++round) {
                    auto anchor = table.get("anchor");
                    if (!anchor || anchor->b != ~anchor->a)
                        return false;  // the anchor is never erased
                    for (int k = 0; k < kKeys; k += 5) {
                        const std::string key = "key-" + std::to_string(k);
                        if (auto value = table.get(key)) {
                            if (value->b != ~value->a)
                                return false;
                            ++seen;
                        }
                        auto halves = table.peek(key, [](const Pair &pair) { return pair.a ^ pair.b; });
                        if (halves && *halves != ~std::uint64_t{0})
                            return false;
                    }
                }
                return seen > 0;
            },
            &start));
    for (pid_t child : writers)
        EXPECT_TRUE(succeeded(child));
    for (pid_t child : readers)
        EXPECT_TRUE(succeeded(child)) << "a reader saw a torn value, or missed the anchor";
    table.destroy();
    EXPECT_EQ(test_shm_usage().blocks, baseline.blocks) << "shared memory leaked";
}

}  // namespace

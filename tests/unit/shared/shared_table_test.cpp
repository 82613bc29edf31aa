#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "im/shared/shared_table.hpp"
#include "im/shared/test_shm.hpp"

using im::shared::SharedMemory;
using im::shared::SharedTable;
using im::shared::test_shm_ops;
using im::shared::test_shm_usage;

namespace {

struct Presence {
    std::int64_t expires_at;
    std::uint32_t hits;
};

using PresenceTable = SharedTable<Presence>;

// The test arena, but every allocation (blocks and locks alike) draws on a
// budget, so that each allocation in turn can be made to fail.
class AllocationBudget {
public:
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    static void set(std::size_t allocations) { remaining() = allocations; }
    static const im_shm_ops_t &ops()
    {
        static const im_shm_ops_t budgeted{alloc, test_shm_ops().free, lock_create, test_shm_ops().lock_destroy,
                                           test_shm_ops().lock_get, test_shm_ops().lock_release,
                                           test_shm_ops().contains};
        return budgeted;
    }

private:
    static std::size_t &remaining()
    {
        static std::size_t allocations = kUnlimited;
        return allocations;
    }
    static bool draw()
    {
        if (remaining() == 0)
            return false;
        if (remaining() != kUnlimited)
            --remaining();
        return true;
    }
    static void *alloc(size_t size) { return draw() ? test_shm_ops().alloc(size) : nullptr; }
    static void *lock_create() { return draw() ? test_shm_ops().lock_create() : nullptr; }
};

void *no_memory(size_t) { return nullptr; }

// The test arena, counting the locks taken; `bounds` says whether the host
// tells its memory's bounds (the optional contains operation).
class LockCounting {
public:
    static const im_shm_ops_t &ops(bool bounds)
    {
        static const im_shm_ops_t with{test_shm_ops().alloc,  test_shm_ops().free,         test_shm_ops().lock_create,
                                       test_shm_ops().lock_destroy, lock_get, test_shm_ops().lock_release,
                                       test_shm_ops().contains};
        static const im_shm_ops_t without{test_shm_ops().alloc,  test_shm_ops().free,         test_shm_ops().lock_create,
                                          test_shm_ops().lock_destroy, lock_get, test_shm_ops().lock_release,
                                          nullptr};
        return bounds ? with : without;
    }
    static int &taken()
    {
        static int count = 0;
        return count;
    }

private:
    static void lock_get(void *lock)
    {
        ++taken();
        test_shm_ops().lock_get(lock);
    }
};

class SharedTableTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        baseline_ = test_shm_usage();
        AllocationBudget::set(AllocationBudget::kUnlimited);
    }
    void TearDown() override
    {
        AllocationBudget::set(AllocationBudget::kUnlimited);
        EXPECT_EQ(test_shm_usage().blocks, baseline_.blocks) << "shared memory leaked";
        EXPECT_EQ(test_shm_usage().bytes, baseline_.bytes) << "shared memory leaked";
    }

    static PresenceTable make_table(std::size_t buckets = 64, const im_shm_ops_t &ops = test_shm_ops())
    {
        auto table = PresenceTable::create(SharedMemory(ops), buckets);
        if (!table)
            throw std::runtime_error("cannot create the table");
        return std::move(*table);
    }

    im::shared::TestShmUsage baseline_;
};

TEST_F(SharedTableTest, PutThenGetReturnsTheValue)
{
    auto table = make_table();
    ASSERT_TRUE(table.put("sip:alice@example.com", Presence{100, 1}));
    auto found = table.get("sip:alice@example.com");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->expires_at, 100);
    EXPECT_EQ(found->hits, 1u);
    EXPECT_FALSE(table.get("sip:bob@example.com"));
    EXPECT_EQ(table.size(), 1u);
    table.destroy();
}

TEST_F(SharedTableTest, ReadAppliesAFunctionToTheStoredValueOnly)
{
    auto table = make_table();
    ASSERT_TRUE(table.put("sip:alice@example.com", Presence{100, 1}));
    auto expires = table.read("sip:alice@example.com", [](const Presence &p) { return p.expires_at; });
    ASSERT_TRUE(expires);
    EXPECT_EQ(*expires, 100);
    bool called = false;
    EXPECT_FALSE(table.read("sip:bob@example.com", [&](const Presence &) { return called = true; }));
    EXPECT_FALSE(called);
    table.destroy();
}

TEST_F(SharedTableTest, PeekAppliesAFunctionToTheStoredValueOnly)
{
    auto table = make_table();
    ASSERT_TRUE(table.put("a", Presence{100, 3}));
    EXPECT_EQ(table.peek("a", [](const Presence &p) { return p.hits; }), std::optional<std::uint32_t>(3));
    EXPECT_FALSE(table.peek("b", [](const Presence &p) { return p.hits; }));
    EXPECT_FALSE(table.peek(std::string(PresenceTable::kMaxKeyLength + 1, 'x'), [](const Presence &p) { return p.hits; }));
    table.destroy();
}

TEST_F(SharedTableTest, GetAndPeekTakeNoLockWhenTheHostKnowsItsBounds)
{
    auto table = make_table(4, LockCounting::ops(true));
    for (int i = 0; i < 20; ++i)  // chains of five: lookups walk past other keys
        ASSERT_TRUE(table.put("k" + std::to_string(i), Presence{i, 0}));
    LockCounting::taken() = 0;
    for (int i = 0; i < 20; ++i) {
        EXPECT_EQ(table.get("k" + std::to_string(i))->expires_at, i);
        EXPECT_EQ(table.peek("k" + std::to_string(i), [](const Presence &p) { return p.expires_at; }), i);
    }
    EXPECT_FALSE(table.get("absent"));
    EXPECT_EQ(LockCounting::taken(), 0);
    table.destroy();
}

TEST_F(SharedTableTest, PrefetchIsAHintThatTakesNoLockAndChangesNothing)
{
    auto table = make_table(4, LockCounting::ops(true));
    ASSERT_TRUE(table.put("present", Presence{1, 2}));
    LockCounting::taken() = 0;
    const std::vector<std::string> keys{"present", "absent", "", std::string(PresenceTable::kMaxKeyLength + 1, 'x')};
    table.prefetch(keys);
    table.prefetch(std::vector<std::string>{});
    EXPECT_EQ(LockCounting::taken(), 0);
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.get("present")->hits, 2u);
    EXPECT_FALSE(table.get("absent"));
    table.destroy();
    table.prefetch(keys);  // an empty handle ignores it
}

TEST_F(SharedTableTest, GetAndPeekTakeTheLockWhenTheHostCannotTellItsBounds)
{
    auto table = make_table(4, LockCounting::ops(false));
    ASSERT_TRUE(table.put("k", Presence{5, 0}));
    LockCounting::taken() = 0;
    EXPECT_EQ(table.get("k")->expires_at, 5);
    EXPECT_EQ(table.peek("k", [](const Presence &p) { return p.expires_at; }), 5);
    EXPECT_FALSE(table.get("absent"));
    EXPECT_EQ(LockCounting::taken(), 3);
    table.destroy();
}

TEST_F(SharedTableTest, PutReplacesTheValueOfAnExistingKey)
{
    auto table = make_table();
    ASSERT_TRUE(table.put("k", Presence{1, 1}));
    ASSERT_TRUE(table.put("k", Presence{2, 7}));
    EXPECT_EQ(table.get("k")->expires_at, 2);
    EXPECT_EQ(table.get("k")->hits, 7u);
    EXPECT_EQ(table.size(), 1u);
    table.destroy();
}

TEST_F(SharedTableTest, EraseRemovesOnlyThatKey)
{
    auto table = make_table();
    table.put("a", Presence{1, 0});
    table.put("b", Presence{2, 0});
    EXPECT_TRUE(table.erase("a"));
    EXPECT_FALSE(table.erase("a"));
    EXPECT_FALSE(table.erase("never"));
    EXPECT_FALSE(table.get("a"));
    EXPECT_EQ(table.get("b")->expires_at, 2);
    EXPECT_EQ(table.size(), 1u);
    table.destroy();
}

TEST_F(SharedTableTest, KeysAreComparedByEveryByte)
{
    auto table = make_table();
    const std::string with_nul("a\0b", 3);
    table.put("a", Presence{1, 0});
    table.put(with_nul, Presence{2, 0});
    table.put("ab", Presence{3, 0});
    table.put("", Presence{4, 0});
    EXPECT_EQ(table.get("a")->expires_at, 1);
    EXPECT_EQ(table.get(with_nul)->expires_at, 2);
    EXPECT_EQ(table.get("ab")->expires_at, 3);
    EXPECT_EQ(table.get("")->expires_at, 4);
    EXPECT_FALSE(table.get("A"));
    EXPECT_EQ(table.size(), 4u);
    table.destroy();
}

TEST_F(SharedTableTest, UpdateModifiesAnExistingValueOnly)
{
    auto table = make_table();
    table.put("k", Presence{10, 1});
    EXPECT_TRUE(table.update("k", [](Presence &p) { ++p.hits; p.expires_at += 5; }));
    EXPECT_EQ(table.get("k")->hits, 2u);
    EXPECT_EQ(table.get("k")->expires_at, 15);
    bool called = false;
    EXPECT_FALSE(table.update("absent", [&](Presence &) { called = true; }));
    EXPECT_FALSE(called);
    EXPECT_FALSE(table.get("absent"));
    EXPECT_EQ(table.size(), 1u);
    table.destroy();
}

TEST_F(SharedTableTest, ThrowingUpdateKeepsTheValueAndReleasesTheLock)
{
    auto table = make_table(1);
    table.put("k", Presence{10, 1});
    EXPECT_THROW(table.update("k",
                              [](Presence &p) {
                                  p.hits = 99;
                                  throw std::runtime_error("callback failed");
                              }),
                 std::runtime_error);
    EXPECT_EQ(table.get("k")->hits, 1u);  // would abort (lock taken twice) if still held
    table.destroy();
}

TEST_F(SharedTableTest, UpsertInsertsInitialWithFnAppliedOrModifiesExisting)
{
    auto table = make_table();
    const auto count = [](Presence &p) { ++p.hits; };
    EXPECT_TRUE(table.upsert("k", Presence{50, 0}, count));
    EXPECT_EQ(table.get("k")->hits, 1u);
    EXPECT_EQ(table.get("k")->expires_at, 50);
    EXPECT_TRUE(table.upsert("k", Presence{99, 0}, count));
    EXPECT_EQ(table.get("k")->hits, 2u);
    EXPECT_EQ(table.get("k")->expires_at, 50);
    EXPECT_EQ(table.size(), 1u);
    table.destroy();
}

TEST_F(SharedTableTest, EraseIfRemovesMatchingEntriesAndCountsThem)
{
    auto table = make_table(8);
    for (int i = 0; i < 100; ++i)
        table.put("user" + std::to_string(i), Presence{i, 0});
    std::int64_t now = 40;  // not constexpr: the lambda is meant to capture it
    EXPECT_EQ(table.erase_if([now](std::string_view, const Presence &p) { return p.expires_at < now; }), 40u);
    EXPECT_EQ(table.size(), 60u);
    EXPECT_FALSE(table.get("user39"));
    EXPECT_TRUE(table.get("user40"));
    EXPECT_EQ(table.erase_if([](std::string_view key, const Presence &) { return key == "user99"; }), 1u);
    EXPECT_EQ(table.erase_if([](std::string_view, const Presence &) { return false; }), 0u);
    EXPECT_EQ(table.size(), 59u);
    table.destroy();
}

TEST_F(SharedTableTest, ForEachVisitsEveryEntryOnce)
{
    auto table = make_table(4);
    for (int i = 0; i < 50; ++i)
        table.put("k" + std::to_string(i), Presence{i, 0});
    std::map<std::string, std::int64_t> seen;
    table.for_each([&](std::string_view key, const Presence &p) {
        EXPECT_TRUE(seen.emplace(std::string(key), p.expires_at).second) << "visited twice: " << key;
    });
    ASSERT_EQ(seen.size(), 50u);
    for (int i = 0; i < 50; ++i)
        EXPECT_EQ(seen["k" + std::to_string(i)], i);
    table.destroy();
}

TEST_F(SharedTableTest, ForEachCallbackMayUseTheTable)
{
    auto table = make_table(1);  // one bucket: a held lock would deadlock (abort)
    for (int i = 0; i < 10; ++i)
        table.put("k" + std::to_string(i), Presence{i, 0});
    table.for_each([&](std::string_view key, const Presence &p) {
        if (p.expires_at % 2 == 0)
            table.erase(key);
    });
    EXPECT_EQ(table.size(), 5u);
    EXPECT_FALSE(table.get("k0"));
    EXPECT_TRUE(table.get("k1"));
    table.destroy();
}

TEST_F(SharedTableTest, SizeCountsEntries)
{
    auto table = make_table();
    EXPECT_EQ(table.size(), 0u);
    table.put("a", Presence{});
    table.put("b", Presence{});
    table.put("b", Presence{});
    table.upsert("c", Presence{}, [](Presence &) {});
    EXPECT_EQ(table.size(), 3u);
    table.erase("a");
    table.erase_if([](std::string_view, const Presence &) { return true; });
    EXPECT_EQ(table.size(), 0u);
    table.destroy();
}

TEST_F(SharedTableTest, KeyOfMaximumLengthIsStoredAndLongerIsRefused)
{
    auto table = make_table();
    const std::string longest(PresenceTable::kMaxKeyLength, 'x');
    const std::string too_long(PresenceTable::kMaxKeyLength + 1, 'x');
    EXPECT_EQ(PresenceTable::kMaxKeyLength, 255u);
    EXPECT_TRUE(PresenceTable::key_fits(longest));
    EXPECT_FALSE(PresenceTable::key_fits(too_long));

    ASSERT_TRUE(table.put(longest, Presence{1, 0}));
    EXPECT_EQ(table.get(longest)->expires_at, 1);

    EXPECT_FALSE(table.put(too_long, Presence{2, 0}));
    EXPECT_FALSE(table.upsert(too_long, Presence{2, 0}, [](Presence &) {}));
    EXPECT_FALSE(table.get(too_long));
    EXPECT_FALSE(table.update(too_long, [](Presence &) {}));
    EXPECT_FALSE(table.erase(too_long));
    EXPECT_EQ(table.size(), 1u);
    EXPECT_EQ(table.get(longest)->expires_at, 1);  // not truncated onto the longest key
    table.destroy();
}

TEST_F(SharedTableTest, MaximumKeyLengthIsATableParameter)
{
    auto table = SharedTable<Presence, 8>::create(SharedMemory(test_shm_ops()), 4);
    ASSERT_TRUE(table);
    EXPECT_TRUE(table->put("12345678", Presence{1, 0}));
    EXPECT_FALSE(table->put("123456789", Presence{1, 0}));
    EXPECT_EQ(table->size(), 1u);
    table->destroy();
}

TEST_F(SharedTableTest, ManyKeysCollidingInFewBucketsStayDistinct)
{
    for (std::size_t buckets : {1u, 4u}) {
        auto table = make_table(buckets);
        constexpr int kKeys = 2000;
        for (int i = 0; i < kKeys; ++i)
            ASSERT_TRUE(table.put("sip:user" + std::to_string(i) + "@example.com", Presence{i, 0}));
        EXPECT_EQ(table.size(), std::size_t{kKeys});
        for (int i = 0; i < kKeys; i += 2)
            ASSERT_TRUE(table.erase("sip:user" + std::to_string(i) + "@example.com"));
        for (int i = 0; i < kKeys; ++i) {
            auto found = table.get("sip:user" + std::to_string(i) + "@example.com");
            if (i % 2 == 0) {
                EXPECT_FALSE(found) << i;
            } else {
                ASSERT_TRUE(found) << i;
                EXPECT_EQ(found->expires_at, i);
            }
        }
        EXPECT_EQ(table.size(), std::size_t{kKeys / 2});
        table.destroy();
    }
}

TEST_F(SharedTableTest, BucketCountIsRoundedUpToAPowerOfTwo)
{
    const SharedMemory memory(test_shm_ops());
    for (auto [requested, expected] : {std::pair<std::size_t, std::size_t>{0, 1}, {1, 1}, {3, 4}, {1000, 1024}, {1024, 1024}}) {
        auto table = PresenceTable::create(memory, requested);
        ASSERT_TRUE(table);
        EXPECT_EQ(table->bucket_count(), expected) << requested;
        table->destroy();
    }
    EXPECT_FALSE(PresenceTable::create(memory, im::shared::kMaxBucketCount + 1));
}

TEST_F(SharedTableTest, FullTableRefusesNewKeysButReplacesExistingOnes)
{
    auto table = PresenceTable::create(SharedMemory(test_shm_ops()), 4, 2);
    ASSERT_TRUE(table);
    EXPECT_TRUE(table->put("a", Presence{1, 0}));
    EXPECT_TRUE(table->put("b", Presence{2, 0}));
    EXPECT_FALSE(table->put("c", Presence{3, 0}));
    EXPECT_FALSE(table->upsert("c", Presence{3, 0}, [](Presence &) {}));
    EXPECT_TRUE(table->put("a", Presence{10, 0}));
    EXPECT_TRUE(table->upsert("b", Presence{}, [](Presence &p) { p.hits = 5; }));
    EXPECT_EQ(table->size(), 2u);
    table->erase("a");
    EXPECT_TRUE(table->put("c", Presence{3, 0}));
    EXPECT_EQ(table->size(), 2u);
    table->destroy();
}

TEST_F(SharedTableTest, HostWithoutMemoryGivesNoTable)
{
    im_shm_ops_t starved = test_shm_ops();
    starved.alloc = no_memory;
    EXPECT_FALSE(PresenceTable::create(SharedMemory(starved), 16));
}

TEST_F(SharedTableTest, IncompleteOpsTableGivesNoTable)
{
    im_shm_ops_t incomplete = test_shm_ops();
    incomplete.lock_release = nullptr;
    EXPECT_FALSE(SharedMemory(incomplete).usable());
    EXPECT_FALSE(PresenceTable::create(SharedMemory(incomplete), 16));
}

TEST_F(SharedTableTest, CreationFailingAtAnyAllocationLeaksNothing)
{
    // control block + bucket array + one lock per bucket
    constexpr std::size_t kBuckets = 4;
    constexpr std::size_t kAllocations = 2 + kBuckets;
    for (std::size_t budget = 0; budget < kAllocations; ++budget) {
        AllocationBudget::set(budget);
        EXPECT_FALSE(PresenceTable::create(SharedMemory(AllocationBudget::ops()), kBuckets)) << budget;
        EXPECT_EQ(test_shm_usage().blocks, baseline_.blocks) << "leak when allocation " << budget << " fails";
    }
    AllocationBudget::set(kAllocations);
    auto table = PresenceTable::create(SharedMemory(AllocationBudget::ops()), kBuckets);
    ASSERT_TRUE(table);
    table->destroy();
}

TEST_F(SharedTableTest, OutOfMemoryRefusesNewKeysWithoutHarm)
{
    auto table = PresenceTable::create(SharedMemory(AllocationBudget::ops()), 4);
    ASSERT_TRUE(table);
    ASSERT_TRUE(table->put("kept", Presence{1, 0}));
    AllocationBudget::set(0);
    EXPECT_FALSE(table->put("new", Presence{2, 0}));
    EXPECT_FALSE(table->upsert("new", Presence{2, 0}, [](Presence &) {}));
    EXPECT_FALSE(table->get("new"));
    EXPECT_EQ(table->size(), 1u);
    // Replacing and updating need no memory.
    EXPECT_TRUE(table->put("kept", Presence{3, 0}));
    EXPECT_TRUE(table->update("kept", [](Presence &p) { ++p.hits; }));
    EXPECT_EQ(table->get("kept")->hits, 1u);
    table->destroy();
}

TEST_F(SharedTableTest, DestroyFreesEverythingAndEmptiesTheHandle)
{
    auto table = make_table(16);
    for (int i = 0; i < 300; ++i)
        table.put(std::string(static_cast<std::size_t>(i % 200), 'k') + std::to_string(i), Presence{i, 0});
    EXPECT_GT(test_shm_usage().blocks, baseline_.blocks + 300);
    table.destroy();
    EXPECT_EQ(test_shm_usage().blocks, baseline_.blocks);
    EXPECT_FALSE(table.valid());
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.bucket_count(), 0u);
    EXPECT_FALSE(table.put("k", Presence{}));
    EXPECT_FALSE(table.get("k"));
    EXPECT_FALSE(table.update("k", [](Presence &) {}));
    EXPECT_FALSE(table.upsert("k", Presence{}, [](Presence &) {}));
    EXPECT_FALSE(table.erase("k"));
    EXPECT_EQ(table.erase_if([](std::string_view, const Presence &) { return true; }), 0u);
    table.for_each([](std::string_view, const Presence &) { ADD_FAILURE(); });
    table.destroy();  // harmless
}

TEST_F(SharedTableTest, MovingAHandleLeavesTheSourceEmpty)
{
    auto table = make_table();
    table.put("k", Presence{7, 0});
    PresenceTable moved(std::move(table));
    EXPECT_FALSE(table.valid());
    EXPECT_FALSE(table.get("k"));
    ASSERT_TRUE(moved.valid());
    EXPECT_EQ(moved.get("k")->expires_at, 7);
    table = std::move(moved);
    EXPECT_EQ(table.get("k")->expires_at, 7);
    table.destroy();
}

}  // namespace

// The participating stores' rows kept between requests (RowCache): served
// from memory until any process's store writes, then read again in every
// process; without a shared generation they live for one batch only.
#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "im/shared/shared_counter.hpp"
#include "im/store/row_cache.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_access_rule_store.hpp"
#include "im/store/sqlite_policy_store.hpp"
#include "im/store/sqlite_settings_store.hpp"
#include "im/store/sqlite_willingness_store.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::AccessAction;
using im::store::AccessKind;
using im::store::RowBatch;
using im::store::RowCache;
using im::store::RowCacheConfig;
using im::store::SqliteDatabase;
using im::store::testing::Generation;
using im::store::testing::open_with_schema;
using im::store::testing::TempDir;
using im::store::testing::WorkerProcess;

const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
const std::string kCarol = "sip:carol@example.com";
const std::string kDave = "sip:dave@example.com";

TEST(RowCache, WithoutAGenerationRowsLiveForOneBatch)
{
    RowCache<int> cache;
    EXPECT_FALSE(cache.persistent());
    cache.put(kAlice, 1);
    ASSERT_NE(cache.find(kAlice), nullptr);
    EXPECT_EQ(*cache.find(kAlice), 1);
    cache.end_batch();
    EXPECT_EQ(cache.find(kAlice), nullptr);
}

TEST(RowCache, WithAGenerationRowsStayUntilAnyCacheWrites)
{
    Generation generation;
    RowCache<int> worker(RowCacheConfig{.generation = &generation.counter()});
    RowCache<int> other(RowCacheConfig{.generation = &generation.counter()});
    worker.revalidate();
    worker.put(kAlice, 1);
    worker.end_batch();
    worker.revalidate();
    ASSERT_NE(worker.find(kAlice), nullptr);

    other.written();  // another process changed the table
    ASSERT_NE(worker.find(kAlice), nullptr);  // until the next read begins
    worker.revalidate();
    EXPECT_EQ(worker.find(kAlice), nullptr);
}

TEST(RowCache, IsBoundedByDroppingEverything)
{
    Generation generation;
    RowCache<int> cache(RowCacheConfig{.generation = &generation.counter(), .max_rows = 2});
    cache.put(kAlice, 1);
    cache.put(kBob, 2);
    cache.put(kBob, 3);  // a replaced row does not count twice
    EXPECT_EQ(cache.size(), 2u);
    cache.put("sip:carol@example.com", 4);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find(kAlice), nullptr);
}

TEST(RowCache, ZeroRowsMeansNoCacheBetweenBatches)
{
    Generation generation;
    RowCache<int> cache(RowCacheConfig{.generation = &generation.counter(), .max_rows = 0});
    EXPECT_FALSE(cache.persistent());
    cache.put(kAlice, 1);
    cache.end_batch();
    EXPECT_EQ(cache.find(kAlice), nullptr);
}

// A batch finds each key once: resolve() points at the cached rows and
// lists the others, which the store keeps; complete() points at those.
TEST(RowCacheBatch, FindsTheCachedRowsAndListsTheOthers)
{
    Generation generation;
    RowCache<int> cache(RowCacheConfig{.generation = &generation.counter()});
    RowBatch<int> batch;
    cache.revalidate();
    cache.put(kAlice, 1);
    ASSERT_TRUE(cache.resolve({kAlice, kBob, kCarol}, batch));
    EXPECT_EQ(batch.missing(), (std::vector<std::string>{kBob, kCarol}));
    cache.keep(kBob, 2);
    cache.keep(kCarol, 3);
    cache.complete(batch, -1);
    EXPECT_TRUE(batch.missing().empty());
    ASSERT_EQ(batch.size(), 3u);
    EXPECT_EQ(batch.row(0), 1);
    EXPECT_EQ(batch.row(1), 2);
    EXPECT_EQ(batch.row(2), 3);
    cache.end_batch();

    EXPECT_FALSE(cache.resolve({kCarol, kAlice}, batch));  // all cached: nothing to read
    EXPECT_EQ(batch.row(0), 3);
    EXPECT_EQ(batch.row(1), 1);
}

// A key the database has no row for gets the absent row, cached too; a
// read that failed before complete() leaves no absent row behind.
TEST(RowCacheBatch, KeysNotReadGetTheAbsentRow)
{
    Generation generation;
    RowCache<int> cache(RowCacheConfig{.generation = &generation.counter()});
    RowBatch<int> batch;
    ASSERT_TRUE(cache.resolve({kAlice, kBob}, batch));
    cache.keep(kAlice, 1);  // then the read fails
    ASSERT_TRUE(cache.resolve({kAlice, kBob}, batch));
    EXPECT_EQ(batch.missing(), (std::vector<std::string>{kBob}));
    cache.complete(batch, 0);
    EXPECT_EQ(batch.row(0), 1);
    EXPECT_EQ(batch.row(1), 0);
    ASSERT_NE(cache.find(kBob), nullptr);
    EXPECT_EQ(*cache.find(kBob), 0);
}

// Another process's write moves the generation during a batch: the batch
// keeps the rows it found (nothing revalidates until it ends), and the
// next batch reads them again.
TEST(RowCacheBatch, ResolvedRowsStayRightAcrossAGenerationChange)
{
    Generation generation;
    RowCache<std::string> worker(RowCacheConfig{.generation = &generation.counter()});
    RowCache<std::string> other(RowCacheConfig{.generation = &generation.counter()});
    RowBatch<std::string> batch;
    worker.revalidate();
    worker.put(kAlice, "alice's row");
    ASSERT_TRUE(worker.resolve({kAlice, kBob}, batch));
    worker.keep(kBob, "bob's row");
    worker.complete(batch, "");

    other.written();
    EXPECT_EQ(batch.row(0), "alice's row");
    EXPECT_EQ(batch.row(1), "bob's row");
    worker.end_batch();

    ASSERT_TRUE(worker.resolve({kAlice, kBob}, batch));
    EXPECT_EQ(batch.missing(), (std::vector<std::string>{kAlice, kBob}));
}

// The bound drops every row before the batch reads, never while it does.
TEST(RowCacheBatch, ResolvedRowsStayRightAcrossTheMaxRowsClear)
{
    Generation generation;
    RowCache<std::string> cache(RowCacheConfig{.generation = &generation.counter(), .max_rows = 3});
    RowBatch<std::string> batch;
    cache.revalidate();
    cache.put(kAlice, "alice's row");
    cache.put(kBob, "bob's row");

    // Two cached and two to read do not fit: all four are read.
    ASSERT_TRUE(cache.resolve({kAlice, kCarol, kBob, kDave}, batch));
    EXPECT_EQ(batch.missing(), (std::vector<std::string>{kAlice, kCarol, kBob, kDave}));
    EXPECT_EQ(cache.size(), 0u);
    for (const std::string &key : batch.missing()) cache.keep(key, key + " read");
    cache.complete(batch, "");
    EXPECT_EQ(cache.size(), 4u);  // a batch keeps all its rows while it lasts
    EXPECT_EQ(batch.row(0), kAlice + " read");
    EXPECT_EQ(batch.row(1), kCarol + " read");
    EXPECT_EQ(batch.row(2), kBob + " read");
    EXPECT_EQ(batch.row(3), kDave + " read");
    cache.end_batch();
    EXPECT_EQ(cache.size(), 0u);  // then the bound holds again

    // One cached and one to read fit under max_rows: the cached row stays.
    cache.put(kAlice, "alice's row");
    ASSERT_TRUE(cache.resolve({kAlice, kBob}, batch));
    EXPECT_EQ(batch.missing(), (std::vector<std::string>{kBob}));
    cache.keep(kBob, "bob's row");
    cache.complete(batch, "");
    EXPECT_EQ(batch.row(0), "alice's row");
    EXPECT_EQ(batch.row(1), "bob's row");
    cache.end_batch();
    EXPECT_EQ(cache.size(), 2u);
}

TEST(RowCacheBatch, WithoutAGenerationEveryBatchReadsItsRows)
{
    RowCache<int> cache;
    RowBatch<int> batch;
    ASSERT_TRUE(cache.resolve({kAlice}, batch));
    cache.keep(kAlice, 1);
    cache.complete(batch, -1);
    EXPECT_EQ(batch.row(0), 1);
    cache.end_batch();
    EXPECT_TRUE(cache.resolve({kAlice}, batch));
}

// Two workers of one Kamailio: each has its own connection and stores over
// the same database, sharing the generation. The tests change rows behind
// the stores' backs (plain SQL, no generation move) to see what is cached.
class SharedRows : public ::testing::Test {
protected:
    TempDir dir;
    std::filesystem::path path = dir.file("im.db");
    SqliteDatabase db = open_with_schema(path, im::store::kParticipatingTables);
    SqliteDatabase behind_the_back{path};
    Generation generation;
    RowCacheConfig cache{.generation = &generation.counter()};
};

TEST_F(SharedRows, SettingsAreReadOnceUntilAnotherWorkerPublishes)
{
    im::store::SqliteSettingsStore worker(db, im::store::system_random_bits(), cache);
    const std::string etag = worker.publish_initial(kAlice, "<doc/>", {.ipab_active = true}, 2000, 100);
    ASSERT_TRUE(worker.find_active(kAlice, 1000));
    EXPECT_FALSE(worker.find_active(kBob, 1000));  // absent rows are cached too

    behind_the_back.exec("UPDATE im_service_settings SET ipab_active = 0");
    behind_the_back.exec("INSERT INTO im_service_settings (aor, etag, expires_at, updated_at, document) "
                         "VALUES ('sip:bob@example.com', 'x', 2000, 100, '<doc/>')");
    EXPECT_EQ(worker.find_active(kAlice, 1000)->settings.ipab_active, true);
    EXPECT_FALSE(worker.find_active(kBob, 1000));
    EXPECT_FALSE(worker.find_active(kAlice, 2000));  // a cached row still expires

    WorkerProcess publisher([&] {
        SqliteDatabase own(path);
        im::store::SqliteSettingsStore store(own, im::store::system_random_bits(), cache);
        if (!store.modify(kAlice, etag, "<doc/>", {.ipab_active = false, .vis_status = false}, 3000, 200))
            throw std::runtime_error("etag did not match");
    });
    publisher.go();
    ASSERT_TRUE(publisher.succeeded());
    EXPECT_EQ(worker.find_active(kAlice, 1000)->settings.vis_status, false);
    EXPECT_TRUE(worker.find_active(kBob, 1000));
}

TEST_F(SharedRows, ActiveSettingsAreFindActivesSettings)
{
    for (RowCacheConfig config : {RowCacheConfig{}, cache}) {
        im::store::SqliteSettingsStore store(db, im::store::system_random_bits(), config);
        store.publish_initial(kAlice, "<doc/>", {.isb_active = true}, 2000, 100);
        EXPECT_EQ(store.active_settings(kAlice, 1000), store.find_active(kAlice, 1000)->settings);
        EXPECT_EQ(store.active_settings(kAlice, 2000), std::nullopt);  // expired
        EXPECT_EQ(store.active_settings(kBob, 1000), std::nullopt);
        store.prefetch({kAlice});
        EXPECT_EQ(store.active_settings(kAlice, 1000)->isb_active, true);
        store.forget_prefetched();
    }
}

TEST_F(SharedRows, PrefetchReadsOnlyTheUsersNotCached)
{
    im::store::SqliteWillingnessStore worker(db, cache);
    worker.set(kAlice, false, 100);
    worker.prefetch({kAlice});
    worker.forget_prefetched();
    behind_the_back.exec("UPDATE im_willingness SET willing = 1");
    behind_the_back.exec("INSERT INTO im_willingness (aor, willing, updated_at) VALUES ('sip:bob@example.com', 0, 100)");
    worker.prefetch({kAlice, kBob});
    EXPECT_FALSE(worker.willing(kAlice));  // cached, not read again
    EXPECT_FALSE(worker.willing(kBob));    // read now

    WorkerProcess notifier([&] {
        SqliteDatabase own(path);
        im::store::SqliteWillingnessStore(own, cache).set(kBob, true, 200);
    });
    notifier.go();
    ASSERT_TRUE(notifier.succeeded());
    worker.prefetch({kAlice, kBob});
    EXPECT_TRUE(worker.willing(kAlice));
    EXPECT_TRUE(worker.willing(kBob));
}

TEST_F(SharedRows, APolicyChangeAnywhereReachesEveryCachedUser)
{
    im::store::SqlitePolicyStore worker(db, cache);
    worker.prefetch({kAlice});
    EXPECT_TRUE(worker.effective(kAlice).im_allowed);
    EXPECT_TRUE(worker.effective(kBob).im_allowed);

    WorkerProcess rpc_process([&] {
        SqliteDatabase own(path);
        im::store::SqlitePolicyStore(own, cache).set("global", {.im_allowed = false});
    });
    rpc_process.go();
    ASSERT_TRUE(rpc_process.succeeded());
    EXPECT_FALSE(worker.effective(kAlice).im_allowed);
    EXPECT_FALSE(worker.effective(kBob).im_allowed);
}

TEST_F(SharedRows, AccessListsAreCachedPerOwnerForEveryPeer)
{
    im::store::SqliteAccessRuleStore worker(db, cache);
    worker.set(kAlice, "*@example.com", AccessKind::pager, AccessAction::reject);
    worker.set(kAlice, kBob, AccessKind::pager, AccessAction::allow);
    EXPECT_EQ(worker.decide(kAlice, kBob, AccessKind::pager), AccessAction::allow);
    behind_the_back.exec("DELETE FROM im_access_rule");
    // Alice's list is in memory: other peers and kinds are decided from it.
    EXPECT_EQ(worker.decide(kAlice, "sip:carol@example.com", AccessKind::pager), AccessAction::reject);
    EXPECT_EQ(worker.decide(kAlice, "sip:carol@EXAMPLE.com", AccessKind::pager), AccessAction::reject);
    EXPECT_EQ(worker.decide(kAlice, "sip:carol@example.org", AccessKind::pager), std::nullopt);
    EXPECT_EQ(worker.decide(kAlice, kBob, AccessKind::session), std::nullopt);

    WorkerProcess rpc_process([&] {
        SqliteDatabase own(path);
        im::store::SqliteAccessRuleStore(own, cache).set(kAlice, "*", AccessKind::session, AccessAction::reject);
    });
    rpc_process.go();
    ASSERT_TRUE(rpc_process.succeeded());
    EXPECT_EQ(worker.decide(kAlice, kBob, AccessKind::pager), std::nullopt);  // the deleted rows are gone now
    EXPECT_EQ(worker.decide(kAlice, kBob, AccessKind::session), AccessAction::reject);
}

}  // namespace

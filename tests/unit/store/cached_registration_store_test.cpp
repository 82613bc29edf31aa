#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "im/shared/test_shm.hpp"
#include "im/store/cached_registration_store.hpp"
#include "im/store/memory_registration_store.hpp"

using im::store::CachedRegistrationStore;
using im::store::MemoryRegistrationStore;
using im::store::Registration;
using im::store::RegistrationCache;

namespace {

class CachedRegistrations : public ::testing::Test {
protected:
    void SetUp() override
    {
        auto created = RegistrationCache::create(im::shared::SharedMemory(im::shared::test_shm_ops()), 64);
        ASSERT_TRUE(created);
        cache.emplace(std::move(*created));
    }
    void TearDown() override { cache->destroy(); }

    std::optional<RegistrationCache> cache;
    MemoryRegistrationStore backing;
};

}  // namespace

TEST_F(CachedRegistrations, WritesGoThroughAndReadsComeFromTheCache)
{
    CachedRegistrationStore store(backing, *cache);
    store.upsert({"sip:bob@example.com", "<sip:core>", 2000, 1000});
    EXPECT_TRUE(backing.find_active("sip:bob@example.com", 1500));
    // Remove it behind the cache's back: the cached answer proves the read did not go to the store.
    backing.remove("sip:bob@example.com");
    auto hit = store.find_active("sip:bob@example.com", 1500);
    ASSERT_TRUE(hit);
    EXPECT_EQ(hit->contact, "<sip:core>");
    EXPECT_EQ(hit->expires_at, 2000);
    EXPECT_FALSE(store.find_active("sip:bob@example.com", 2000));  // expired in the cache too
}

TEST_F(CachedRegistrations, IsActiveAnswersFromTheCacheAndFillsItOnAMiss)
{
    CachedRegistrationStore store(backing, *cache);
    store.upsert({"sip:bob@example.com", "<sip:core>", 2000, 1000});
    backing.remove("sip:bob@example.com");  // behind the cache's back
    EXPECT_TRUE(store.is_active("sip:bob@example.com", 1500));
    EXPECT_FALSE(store.is_active("sip:bob@example.com", 2000));
    backing.upsert({"sip:carol@example.com", "", 5000, 1000});
    EXPECT_TRUE(store.is_active("sip:carol@example.com", 1500));
    EXPECT_TRUE(cache->get("sip:carol@example.com"));
    EXPECT_FALSE(store.is_active("sip:dave@example.com", 1500));
}

TEST_F(CachedRegistrations, PrefetchReadsNothingAndLookupsAnswerAsBefore)
{
    CachedRegistrationStore store(backing, *cache);
    store.upsert({"sip:bob@example.com", "<sip:core>", 2000, 1000});
    backing.upsert({"sip:carol@example.com", "", 5000, 1000});  // in the store only
    store.prefetch({"sip:bob@example.com", "sip:carol@example.com", "sip:dave@example.com"});
    EXPECT_FALSE(cache->get("sip:carol@example.com")) << "a prefetch is a hint: it fills nothing";
    EXPECT_TRUE(store.is_active("sip:bob@example.com", 1500));
    EXPECT_TRUE(store.is_active("sip:carol@example.com", 1500));
    EXPECT_FALSE(store.is_active("sip:dave@example.com", 1500));
}

TEST_F(CachedRegistrations, MissFillsTheCacheAndRemoveClearsIt)
{
    CachedRegistrationStore store(backing, *cache);
    backing.upsert({"sip:carol@example.com", "", 5000, 1000});  // e.g. written before a restart
    EXPECT_FALSE(cache->get("sip:carol@example.com"));
    EXPECT_TRUE(store.find_active("sip:carol@example.com", 1500));
    EXPECT_TRUE(cache->get("sip:carol@example.com"));
    EXPECT_TRUE(store.remove("sip:carol@example.com"));
    EXPECT_FALSE(store.find_active("sip:carol@example.com", 1500));
    EXPECT_FALSE(backing.find_active("sip:carol@example.com", 1500));
}

TEST_F(CachedRegistrations, PurgeDropsExpiredEntriesFromBoth)
{
    CachedRegistrationStore store(backing, *cache);
    store.upsert({"sip:a@example.com", "", 1100, 1000});
    store.upsert({"sip:b@example.com", "", 9000, 1000});
    auto removed = store.purge_expired(1200);
    EXPECT_EQ(removed, std::vector<std::string>{"sip:a@example.com"});
    EXPECT_FALSE(cache->get("sip:a@example.com"));
    EXPECT_TRUE(cache->get("sip:b@example.com"));
    EXPECT_EQ(store.count_active(1200), 1);
}

TEST_F(CachedRegistrations, OversizeContactIsServedFromTheStore)
{
    CachedRegistrationStore store(backing, *cache);
    const std::string contact(2000, 'c');
    store.upsert({"sip:long@example.com", contact, 5000, 1000});
    EXPECT_FALSE(cache->get("sip:long@example.com"));
    EXPECT_EQ(store.find_active("sip:long@example.com", 1500)->contact, contact);
}

TEST_F(CachedRegistrations, ARegistrationWrittenInOneProcessIsSeenInAnother)
{
    // Kamailio workers are forked processes sharing the cache, each with its own store handle.
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        MemoryRegistrationStore own_backing;
        CachedRegistrationStore store(own_backing, *cache);
        store.upsert({"sip:dave@example.com", "<sip:core>", 5000, 1000});
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CachedRegistrationStore store(backing, *cache);  // this process's backing store never saw it
    auto seen = store.find_active("sip:dave@example.com", 1500);
    ASSERT_TRUE(seen);
    EXPECT_EQ(seen->contact, "<sip:core>");
}

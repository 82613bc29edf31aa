// One contract for every RegistrationStore, run against SQLite and the
// in-memory fake, plus what only the SQLite store promises: persistence and
// sharing between worker processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "im/store/memory_registration_store.hpp"
#include "im/store/schema.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_registration_store.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::MemoryRegistrationStore;
using im::store::Registration;
using im::store::RegistrationStore;
using im::store::SqliteDatabase;
using im::store::SqliteRegistrationStore;
using im::store::testing::create_script;
using im::store::testing::TempDir;
using ::testing::FieldsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using ::testing::UnorderedElementsAre;

using im::store::testing::open_with_schema;

class SqliteBackend {
public:
    RegistrationStore &store() { return store_; }

private:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kParticipatingTables)};
    SqliteRegistrationStore store_{db_};
};

class MemoryBackend {
public:
    RegistrationStore &store() { return store_; }

private:
    MemoryRegistrationStore store_;
};

template <typename Backend>
class RegistrationStoreContract : public ::testing::Test {
protected:
    RegistrationStore &store() { return backend_.store(); }

private:
    Backend backend_;
};

TYPED_TEST_SUITE_P(RegistrationStoreContract);

TYPED_TEST_P(RegistrationStoreContract, FindsAnUpsertedRegistrationWithAllItsFields)
{
    this->store().upsert({"sip:alice@example.com", "sip:alice@10.0.0.1:5060", 1000, 400});
    EXPECT_THAT(this->store().find_active("sip:alice@example.com", 500),
                Optional(FieldsAre("sip:alice@example.com", "sip:alice@10.0.0.1:5060", 1000, 400)));
}

TYPED_TEST_P(RegistrationStoreContract, KeepsAnEmptyContact)
{
    this->store().upsert({"sip:alice@example.com", "", 1000, 400});
    EXPECT_THAT(this->store().find_active("sip:alice@example.com", 500),
                Optional(FieldsAre("sip:alice@example.com", "", 1000, 400)));
}

TYPED_TEST_P(RegistrationStoreContract, UpsertReplacesTheRegistrationOfTheSameAor)
{
    this->store().upsert({"sip:alice@example.com", "sip:old@10.0.0.1", 1000, 400});
    this->store().upsert({"sip:alice@example.com", "sip:new@10.0.0.2", 2000, 900});
    EXPECT_THAT(this->store().find_active("sip:alice@example.com", 1500),
                Optional(FieldsAre("sip:alice@example.com", "sip:new@10.0.0.2", 2000, 900)));
    EXPECT_EQ(this->store().count_active(0), 1);
}

TYPED_TEST_P(RegistrationStoreContract, FindsOnlyTheAorAskedFor)
{
    this->store().upsert({"sip:alice@example.com", "", 1000, 0});
    EXPECT_EQ(this->store().find_active("sip:bob@example.com", 0), std::nullopt);
    EXPECT_NE(this->store().find_active("sip:alice@example.com", 0), std::nullopt);
}

TYPED_TEST_P(RegistrationStoreContract, IsActiveUntilTheExpiryInstant)
{
    this->store().upsert({"sip:alice@example.com", "", 1000, 0});
    EXPECT_NE(this->store().find_active("sip:alice@example.com", 999), std::nullopt);
    EXPECT_EQ(this->store().find_active("sip:alice@example.com", 1000), std::nullopt);
    EXPECT_EQ(this->store().count_active(999), 1);
    EXPECT_EQ(this->store().count_active(1000), 0);
}

TYPED_TEST_P(RegistrationStoreContract, RemoveReportsWhetherThereWasOne)
{
    EXPECT_FALSE(this->store().remove("sip:alice@example.com"));
    this->store().upsert({"sip:alice@example.com", "", 1000, 0});
    EXPECT_TRUE(this->store().remove("sip:alice@example.com"));
    EXPECT_EQ(this->store().find_active("sip:alice@example.com", 0), std::nullopt);
    EXPECT_FALSE(this->store().remove("sip:alice@example.com"));
}

TYPED_TEST_P(RegistrationStoreContract, PurgeRemovesExactlyTheExpiredAndNamesThem)
{
    this->store().upsert({"sip:a@example.com", "", 100, 0});
    this->store().upsert({"sip:b@example.com", "", 200, 0});
    this->store().upsert({"sip:c@example.com", "", 300, 0});
    EXPECT_THAT(this->store().purge_expired(200), UnorderedElementsAre("sip:a@example.com", "sip:b@example.com"));
    EXPECT_THAT(this->store().purge_expired(200), IsEmpty());
    EXPECT_EQ(this->store().count_active(0), 1);  // expired rows are gone, not just inactive
    EXPECT_NE(this->store().find_active("sip:c@example.com", 250), std::nullopt);
}

TYPED_TEST_P(RegistrationStoreContract, AnExpiredUserIsStillKnownUntilPurged)
{
    EXPECT_FALSE(this->store().known("sip:a@example.com"));
    this->store().upsert({"sip:a@example.com", "", 100, 0});
    EXPECT_EQ(this->store().find_active("sip:a@example.com", 150), std::nullopt);
    EXPECT_TRUE(this->store().known("sip:a@example.com"));
    this->store().purge_expired(150);
    EXPECT_FALSE(this->store().known("sip:a@example.com"));
}

TYPED_TEST_P(RegistrationStoreContract, CountsOnlyActiveRegistrations)
{
    EXPECT_EQ(this->store().count_active(0), 0);
    this->store().upsert({"sip:a@example.com", "", 100, 0});
    this->store().upsert({"sip:b@example.com", "", 200, 0});
    this->store().upsert({"sip:c@example.com", "", 300, 0});
    EXPECT_EQ(this->store().count_active(50), 3);
    EXPECT_EQ(this->store().count_active(150), 2);
    EXPECT_EQ(this->store().count_active(300), 0);
}

REGISTER_TYPED_TEST_SUITE_P(RegistrationStoreContract, FindsAnUpsertedRegistrationWithAllItsFields,
                            KeepsAnEmptyContact, UpsertReplacesTheRegistrationOfTheSameAor, FindsOnlyTheAorAskedFor,
                            IsActiveUntilTheExpiryInstant, RemoveReportsWhetherThereWasOne,
                            PurgeRemovesExactlyTheExpiredAndNamesThem, AnExpiredUserIsStillKnownUntilPurged,
                            CountsOnlyActiveRegistrations);

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, RegistrationStoreContract, SqliteBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, RegistrationStoreContract, MemoryBackend);

using im::store::testing::WorkerProcess;

TEST(SqliteRegistrationStore, SeesARegistrationWrittenByAnotherProcess)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    {
        SqliteDatabase db = open_with_schema(path, im::store::kParticipatingTables);
        SqliteRegistrationStore(db).upsert({"sip:alice@example.com", "", 1000, 10});
    }
    WorkerProcess worker([&] {
        SqliteDatabase db(path);
        SqliteRegistrationStore(db).upsert({"sip:bob@example.com", "sip:bob@10.0.0.9", 2000, 20});
    });

    SqliteDatabase db(path);
    SqliteRegistrationStore store(db);
    // Reads before the write: a statement left holding its snapshot would hide it.
    ASSERT_NE(store.find_active("sip:alice@example.com", 0), std::nullopt);
    ASSERT_EQ(store.count_active(0), 1);
    worker.go();
    ASSERT_TRUE(worker.succeeded());
    EXPECT_EQ(store.count_active(0), 2);
    EXPECT_THAT(store.find_active("sip:bob@example.com", 0),
                Optional(FieldsAre("sip:bob@example.com", "sip:bob@10.0.0.9", 2000, 20)));
}

TEST(SqliteRegistrationStore, WritersInTwoProcessesWaitForEachOtherAndAllWritesLand)
{
    constexpr int kWritesEach = 1000;
    TempDir dir;
    const auto path = dir.file("im.db");
    open_with_schema(path, im::store::kParticipatingTables);
    auto write_all = [&path](const std::string &prefix) {
        SqliteDatabase db(path);
        SqliteRegistrationStore store(db);
        for (int i = 0; i < kWritesEach; ++i)
            store.upsert({"sip:" + prefix + std::to_string(i) + "@example.com", "", 1000, i});
    };
    WorkerProcess worker([&] { write_all("child"); });

    worker.go();
    write_all("parent");
    ASSERT_TRUE(worker.succeeded());
    SqliteDatabase db(path);
    EXPECT_EQ(SqliteRegistrationStore(db).count_active(0), 2 * kWritesEach);
}

TEST(SqliteRegistrationStore, DataSurvivesClosingAndReopeningTheDatabase)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    {
        SqliteDatabase db = open_with_schema(path, im::store::kParticipatingTables);
        SqliteRegistrationStore(db).upsert({"sip:alice@example.com", "sip:alice@10.0.0.1", 1000, 10});
    }
    SqliteDatabase reopened(path);
    EXPECT_THAT(SqliteRegistrationStore(reopened).find_active("sip:alice@example.com", 0),
                Optional(FieldsAre("sip:alice@example.com", "sip:alice@10.0.0.1", 1000, 10)));
}

TEST(SqliteRegistrationStore, NeedsTheSchemaToBeCreated)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(im::store::testing::store_error_of([&] { SqliteRegistrationStore store(db); }),
                ::testing::HasSubstr("no such table: im_registration"));
}

}  // namespace

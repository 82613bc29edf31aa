// One contract for every SettingsStore (RFC 3903 publication semantics), run
// against SQLite and the in-memory fake, plus what only the SQLite store
// promises: sharing between worker processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>

#include "im/store/memory_settings_store.hpp"
#include "im/store/schema.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_settings_store.hpp"
#include "store/store_test_support.hpp"

namespace im::store {

// Readable failure messages for the records compared below (static: other
// test files may print these types their own way).
static void PrintTo(const ServiceSettings &settings, std::ostream *out)
{
    const auto print = [out](const char *name, const std::optional<bool> &value) {
        *out << name << '=' << (value ? (*value ? "true" : "false") : "unset") << ' ';
    };
    *out << "{ ";
    print("isb", settings.isb_active);
    print("ipab", settings.ipab_active);
    print("offline", settings.offline_delivery);
    print("vis", settings.vis_status);
    print("hist", settings.hist_active);
    *out << '}';
}

static void PrintTo(const PublishedSettings &published, std::ostream *out)
{
    *out << "{ aor=" << published.aor << " etag=" << published.etag << " expires_at=" << published.expires_at
         << " updated_at=" << published.updated_at << " document=\"" << published.document << "\" settings=";
    PrintTo(published.settings, out);
    *out << " }";
}

}  // namespace im::store

namespace {

using im::store::make_entity_tag;
using im::store::MemorySettingsStore;
using im::store::PublishedSettings;
using im::store::RandomBits;
using im::store::ServiceSettings;
using im::store::SettingsStore;
using im::store::SqliteDatabase;
using im::store::SqliteSettingsStore;
using im::store::testing::create_script;
using im::store::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::MatchesRegex;
using ::testing::Optional;

const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
const std::string kDocument = R"(<?xml version="1.0" encoding="UTF-8"?><poc-settings/>)";
const ServiceSettings kBarringSessions{.isb_active = true, .ipab_active = false};
const ServiceSettings kEverySetting{true, false, true, false, true};

// Random bits 1, 2, 3, ...: the n-th tag drawn is make_entity_tag(n).
RandomBits counting_bits()
{
    return [next = std::uint64_t{1}]() mutable { return next++; };
}

using im::store::testing::open_with_schema;

class SqliteBackend {
public:
    SettingsStore &store() { return store_; }

private:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kParticipatingTables)};
    SqliteSettingsStore store_{db_, counting_bits()};
};

class MemoryBackend {
public:
    SettingsStore &store() { return store_; }

private:
    MemorySettingsStore store_{counting_bits()};
};

template <typename Backend>
class SettingsStoreContract : public ::testing::Test {
protected:
    SettingsStore &store() { return backend_.store(); }

private:
    Backend backend_;
};

TYPED_TEST_SUITE_P(SettingsStoreContract);

TYPED_TEST_P(SettingsStoreContract, InitialPublicationGetsAFreshTagAndKeepsEveryField)
{
    const std::string etag = this->store().publish_initial(kAlice, kDocument, kEverySetting, 1000, 400);
    EXPECT_EQ(etag, make_entity_tag(1));
    EXPECT_EQ(this->store().find_active(kAlice, 500),
              (PublishedSettings{kAlice, etag, 1000, 400, kDocument, kEverySetting}));
}

TYPED_TEST_P(SettingsStoreContract, KeepsAnAbsentSettingApartFromFalse)
{
    const ServiceSettings all_false{false, false, false, false, false};
    this->store().publish_initial(kAlice, kDocument, ServiceSettings{}, 1000, 0);
    this->store().publish_initial(kBob, kDocument, all_false, 1000, 0);
    EXPECT_THAT(this->store().find_active(kAlice, 0), Optional(Field(&PublishedSettings::settings, ServiceSettings{})));
    EXPECT_THAT(this->store().find_active(kBob, 0), Optional(Field(&PublishedSettings::settings, all_false)));
}

TYPED_TEST_P(SettingsStoreContract, KeepsTheDocumentVerbatim)
{
    const std::string document = "<poc-settings>\n\t\"quoted\" 'single' \xc3\xa9t\xc3\xa9 ; -- DROP</poc-settings>\n";
    this->store().publish_initial(kAlice, document, kBarringSessions, 1000, 0);
    this->store().publish_initial(kBob, "", kBarringSessions, 1000, 0);
    EXPECT_THAT(this->store().find_active(kAlice, 0), Optional(Field(&PublishedSettings::document, document)));
    EXPECT_THAT(this->store().find_active(kBob, 0), Optional(Field(&PublishedSettings::document, "")));
}

// RFC 3903 section 4: initial, refresh, modify, remove, and what a stale tag gets.
TYPED_TEST_P(SettingsStoreContract, FollowsAPublicationThroughItsLife)
{
    SettingsStore &store = this->store();
    const std::string initial_tag = store.publish_initial(kAlice, kDocument, kBarringSessions, 1000, 100);

    // RFC 3903 section 6: a refresh gets a new tag too; the old one stops matching.
    const auto refreshed_tag = store.refresh(kAlice, initial_tag, 2000, 900);
    ASSERT_TRUE(refreshed_tag.has_value());
    EXPECT_NE(*refreshed_tag, initial_tag);
    EXPECT_EQ(store.find_active(kAlice, 1500),
              (PublishedSettings{kAlice, *refreshed_tag, 2000, 900, kDocument, kBarringSessions}));
    EXPECT_FALSE(store.refresh(kAlice, initial_tag, 2000, 950));

    const std::string modified_document = "<poc-settings><entity id=\"2\"/></poc-settings>";
    const auto modified_tag = store.modify(kAlice, *refreshed_tag, modified_document, kEverySetting, 3000, 1600);
    ASSERT_TRUE(modified_tag.has_value());
    EXPECT_NE(*modified_tag, *refreshed_tag);
    EXPECT_EQ(store.find_active(kAlice, 1700),
              (PublishedSettings{kAlice, *modified_tag, 3000, 1600, modified_document, kEverySetting}));

    // The replaced tag is refused (412) whatever the request.
    EXPECT_FALSE(store.refresh(kAlice, initial_tag, 4000, 1700));
    EXPECT_EQ(store.modify(kAlice, initial_tag, kDocument, kBarringSessions, 4000, 1700), std::nullopt);
    EXPECT_FALSE(store.remove(kAlice, initial_tag));
    EXPECT_THAT(store.find_active(kAlice, 1700), Optional(Field(&PublishedSettings::etag, *modified_tag)));

    EXPECT_TRUE(store.remove(kAlice, *modified_tag));
    EXPECT_EQ(store.find_active(kAlice, 1700), std::nullopt);
    EXPECT_FALSE(store.refresh(kAlice, *modified_tag, 4000, 1700));
    EXPECT_FALSE(store.remove(kAlice, *modified_tag));
}

TYPED_TEST_P(SettingsStoreContract, EachModifyGetsANewTag)
{
    std::string etag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    std::set<std::string> seen{etag};
    for (int i = 0; i < 5; ++i) {
        const auto next = this->store().modify(kAlice, etag, kDocument, kBarringSessions, 1000, i);
        ASSERT_TRUE(next.has_value());
        EXPECT_TRUE(seen.insert(*next).second) << *next << " was handed out before";
        etag = *next;
    }
}

TYPED_TEST_P(SettingsStoreContract, IsActiveUntilTheExpiryInstant)
{
    const std::string etag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    EXPECT_NE(this->store().find_active(kAlice, 999), std::nullopt);
    EXPECT_EQ(this->store().find_active(kAlice, 1000), std::nullopt);
    EXPECT_THAT(this->store().list_active(999, 10), ElementsAre(Field(&PublishedSettings::aor, kAlice)));
    EXPECT_THAT(this->store().list_active(1000, 10), IsEmpty());
    // An expired publication can no longer be refreshed or modified: 412.
    EXPECT_FALSE(this->store().refresh(kAlice, etag, 3000, 1000));
    EXPECT_EQ(this->store().modify(kAlice, etag, kDocument, kEverySetting, 3000, 1000), std::nullopt);
    EXPECT_EQ(this->store().find_active(kAlice, 1000), std::nullopt);
}

TYPED_TEST_P(SettingsStoreContract, ARefreshJustBeforeExpiryKeepsThePublication)
{
    const std::string etag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    ASSERT_TRUE(this->store().refresh(kAlice, etag, 2000, 999));
    EXPECT_THAT(this->store().find_active(kAlice, 1500), Optional(Field(&PublishedSettings::expires_at, 2000)));
}

TYPED_TEST_P(SettingsStoreContract, ANewInitialPublicationReplacesTheOldOne)
{
    const std::string first = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    const std::string second = this->store().publish_initial(kAlice, "<second/>", kEverySetting, 2000, 10);
    EXPECT_NE(first, second);
    EXPECT_EQ(this->store().find_active(kAlice, 20),
              (PublishedSettings{kAlice, second, 2000, 10, "<second/>", kEverySetting}));
    EXPECT_FALSE(this->store().refresh(kAlice, first, 3000, 20));
    EXPECT_THAT(this->store().list_active(20, 10), ElementsAre(Field(&PublishedSettings::etag, second)));
}

TYPED_TEST_P(SettingsStoreContract, AnInitialPublicationAfterExpiryStartsAfresh)
{
    const std::string old_tag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    const std::string new_tag = this->store().publish_initial(kAlice, kDocument, kEverySetting, 3000, 2000);
    EXPECT_NE(old_tag, new_tag);
    EXPECT_THAT(this->store().find_active(kAlice, 2500), Optional(Field(&PublishedSettings::etag, new_tag)));
}

TYPED_TEST_P(SettingsStoreContract, ATagOnlyMatchesThePublicationOfItsOwnUser)
{
    const std::string alice_tag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    const std::string bob_tag = this->store().publish_initial(kBob, kDocument, kBarringSessions, 1000, 0);
    EXPECT_FALSE(this->store().refresh(kBob, alice_tag, 2000, 10));
    EXPECT_EQ(this->store().modify(kAlice, bob_tag, kDocument, kEverySetting, 2000, 10), std::nullopt);
    EXPECT_FALSE(this->store().remove(kAlice, bob_tag));
    EXPECT_FALSE(this->store().refresh("sip:carol@example.com", alice_tag, 2000, 10));
    EXPECT_THAT(this->store().find_active(kAlice, 10), Optional(Field(&PublishedSettings::settings, kBarringSessions)));
    EXPECT_THAT(this->store().find_active(kBob, 10), Optional(Field(&PublishedSettings::expires_at, 1000)));
}

TYPED_TEST_P(SettingsStoreContract, AFailedRefreshOrModifyChangesNothing)
{
    const std::string etag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 5);
    const PublishedSettings before{kAlice, etag, 1000, 5, kDocument, kBarringSessions};
    EXPECT_FALSE(this->store().refresh(kAlice, "not-the-tag", 2000, 10));
    EXPECT_EQ(this->store().modify(kAlice, "not-the-tag", "<other/>", kEverySetting, 2000, 10), std::nullopt);
    EXPECT_EQ(this->store().find_active(kAlice, 10), before);
}

TYPED_TEST_P(SettingsStoreContract, RemoveOfAnExpiredButUnpurgedPublicationSucceeds)
{
    const std::string etag = this->store().publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    EXPECT_TRUE(this->store().remove(kAlice, etag));
    EXPECT_EQ(this->store().purge_expired(5000), 0);
}

TYPED_TEST_P(SettingsStoreContract, PurgeRemovesExactlyTheExpired)
{
    this->store().publish_initial("sip:a@example.com", kDocument, kBarringSessions, 100, 0);
    this->store().publish_initial("sip:b@example.com", kDocument, kBarringSessions, 200, 0);
    const std::string c_tag = this->store().publish_initial("sip:c@example.com", kDocument, kBarringSessions, 300, 0);
    EXPECT_EQ(this->store().purge_expired(200), 2);
    EXPECT_EQ(this->store().purge_expired(200), 0);
    EXPECT_THAT(this->store().list_active(0, 10), ElementsAre(Field(&PublishedSettings::aor, "sip:c@example.com")));
    EXPECT_TRUE(this->store().refresh("sip:c@example.com", c_tag, 400, 250));
}

TYPED_TEST_P(SettingsStoreContract, ListsActivePublicationsByAorUpToTheLimit)
{
    EXPECT_THAT(this->store().list_active(0, 10), IsEmpty());
    this->store().publish_initial("sip:d@example.com", kDocument, kBarringSessions, 1000, 0);
    this->store().publish_initial("sip:b@example.com", kDocument, kBarringSessions, 1000, 0);
    this->store().publish_initial("sip:a@example.com", kDocument, kBarringSessions, 100, 0);  // expired at 500
    this->store().publish_initial("sip:c@example.com", kDocument, kEverySetting, 1000, 0);
    const auto aor = [](const char *value) { return Field(&PublishedSettings::aor, value); };
    EXPECT_THAT(this->store().list_active(500, 10),
                ElementsAre(aor("sip:b@example.com"), aor("sip:c@example.com"), aor("sip:d@example.com")));
    EXPECT_THAT(this->store().list_active(500, 2), ElementsAre(aor("sip:b@example.com"), aor("sip:c@example.com")));
    EXPECT_THAT(this->store().list_active(500, 0), IsEmpty());
    EXPECT_THAT(this->store().list_active(500, SIZE_MAX), ::testing::SizeIs(3));
    EXPECT_THAT(this->store().list_active(500, 10)[1], Field(&PublishedSettings::settings, kEverySetting));
}

REGISTER_TYPED_TEST_SUITE_P(SettingsStoreContract, InitialPublicationGetsAFreshTagAndKeepsEveryField,
                            KeepsAnAbsentSettingApartFromFalse, KeepsTheDocumentVerbatim,
                            FollowsAPublicationThroughItsLife, EachModifyGetsANewTag, IsActiveUntilTheExpiryInstant,
                            ARefreshJustBeforeExpiryKeepsThePublication, ANewInitialPublicationReplacesTheOldOne,
                            AnInitialPublicationAfterExpiryStartsAfresh, ATagOnlyMatchesThePublicationOfItsOwnUser,
                            AFailedRefreshOrModifyChangesNothing, RemoveOfAnExpiredButUnpurgedPublicationSucceeds,
                            PurgeRemovesExactlyTheExpired, ListsActivePublicationsByAorUpToTheLimit);

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, SettingsStoreContract, SqliteBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, SettingsStoreContract, MemoryBackend);

TEST(SettingsEntityTag, IsTheBitsAsSixteenHexDigits)
{
    EXPECT_EQ(make_entity_tag(0), "0000000000000000");
    EXPECT_EQ(make_entity_tag(0xdeadbeef), "00000000deadbeef");
    EXPECT_EQ(make_entity_tag(0x0123456789abcdefULL), "0123456789abcdef");
    EXPECT_EQ(make_entity_tag(UINT64_MAX), "ffffffffffffffff");
}

TEST(SettingsEntityTag, SystemSourceFillsAll64BitsAndDoesNotRepeat)
{
    const RandomBits bits = im::store::system_random_bits();
    std::set<std::uint64_t> seen;
    bool high_half_used = false;
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t value = bits();
        high_half_used = high_half_used || (value >> 32) != 0;
        seen.insert(value);
    }
    EXPECT_EQ(seen.size(), 200U);
    EXPECT_TRUE(high_half_used);
}

TEST(SettingsEntityTag, StoresDrawFromTheSystemSourceByDefault)
{
    TempDir dir;
    SqliteDatabase db = open_with_schema(dir.file("im.db"), im::store::kParticipatingTables);
    SqliteSettingsStore sqlite(db);
    MemorySettingsStore memory;
    const std::string sqlite_tag = sqlite.publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    const std::string memory_tag = memory.publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    EXPECT_THAT(sqlite_tag, MatchesRegex("[0-9a-f]{16}"));
    EXPECT_THAT(memory_tag, MatchesRegex("[0-9a-f]{16}"));
    EXPECT_NE(sqlite.publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0), sqlite_tag);
}

using im::store::testing::WorkerProcess;

TEST(SqliteSettingsStore, SeesPublicationsWrittenByAnotherProcess)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    std::string alice_tag;
    {
        SqliteDatabase db = open_with_schema(path, im::store::kParticipatingTables);
        alice_tag = SqliteSettingsStore(db, counting_bits()).publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    }
    WorkerProcess worker([&] {
        SqliteDatabase db(path);
        SqliteSettingsStore store(db, [] { return std::uint64_t{0xc41d}; });
        if (!store.modify(kAlice, alice_tag, "<from-child/>", kEverySetting, 2000, 10))
            throw std::runtime_error("modify refused");
        store.publish_initial(kBob, "<bob/>", kBarringSessions, 3000, 10);
    });

    SqliteDatabase db(path);
    SqliteSettingsStore store(db, counting_bits());
    // Every read runs before the child writes: a statement left holding its
    // snapshot would hide the child's writes from the reads after it.
    ASSERT_THAT(store.find_active(kAlice, 0), Optional(Field(&PublishedSettings::document, kDocument)));
    ASSERT_EQ(store.find_active(kBob, 0), std::nullopt);
    ASSERT_THAT(store.list_active(0, 10), ::testing::SizeIs(1));
    worker.go();
    ASSERT_TRUE(worker.succeeded());

    EXPECT_EQ(store.find_active(kAlice, 20),
              (PublishedSettings{kAlice, make_entity_tag(0xc41d), 2000, 10, "<from-child/>", kEverySetting}));
    EXPECT_THAT(store.list_active(20, 10),
                ElementsAre(Field(&PublishedSettings::aor, kAlice), Field(&PublishedSettings::aor, kBob)));
    // The tag the other process replaced is refused here too.
    EXPECT_FALSE(store.refresh(kAlice, alice_tag, 5000, 20));
    EXPECT_TRUE(store.refresh(kAlice, make_entity_tag(0xc41d), 5000, 20));
}

TEST(SqliteSettingsStore, OfTwoProcessesModifyingWithTheSameTagExactlyOneWins)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    std::string etag;
    {
        SqliteDatabase db = open_with_schema(path, im::store::kParticipatingTables);
        etag = SqliteSettingsStore(db, counting_bits()).publish_initial(kAlice, kDocument, kBarringSessions, 1000, 0);
    }
    WorkerProcess worker([&] {
        SqliteDatabase db(path);
        if (!SqliteSettingsStore(db, [] { return std::uint64_t{0xc41d}; })
                 .modify(kAlice, etag, "<child/>", kEverySetting, 2000, 10))
            throw std::runtime_error("modify refused");
    });

    SqliteDatabase db(path);
    SqliteSettingsStore store(db, [] { return std::uint64_t{0xa4e7}; });
    worker.go();
    const bool parent_won = store.modify(kAlice, etag, "<parent/>", kEverySetting, 2000, 10).has_value();
    const bool child_won = worker.succeeded();
    EXPECT_NE(parent_won, child_won);
    EXPECT_THAT(store.find_active(kAlice, 20),
                Optional(Field(&PublishedSettings::etag, make_entity_tag(parent_won ? 0xa4e7 : 0xc41d))));
}

TEST(SqliteSettingsStore, NeedsTheSchemaToBeCreated)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(im::store::testing::store_error_of([&] { SqliteSettingsStore store(db); }),
                ::testing::HasSubstr("no such table: im_service_settings"));
}

}  // namespace

// One contract for every AccessRuleStore, run against SQLite and the
// in-memory fake: upserts, removal, listing, and which rule decides.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "im/store/access_rule_store.hpp"
#include "im/store/memory_access_rule_store.hpp"
#include "im/store/schema.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_access_rule_store.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::AccessAction;
using im::store::AccessKind;
using im::store::AccessRule;
using im::store::AccessRuleStore;
using im::store::MemoryAccessRuleStore;
using im::store::SqliteAccessRuleStore;
using im::store::SqliteDatabase;
using im::store::testing::create_script;
using im::store::testing::store_error_of;
using im::store::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

constexpr AccessKind kSession = AccessKind::session;
constexpr AccessKind kPager = AccessKind::pager;
constexpr AccessAction kAllow = AccessAction::allow;
constexpr AccessAction kReject = AccessAction::reject;

const std::string kAlice = "sip:alice@example.com";  // the owner of the lists
const std::string kBob = "sip:bob@example.com";
const std::string kCarol = "sip:carol@example.com";
const std::string kMallory = "sip:mallory@evil.org";

using im::store::testing::open_with_schema;

class SqliteBackend {
public:
    AccessRuleStore &store() { return store_; }

private:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kParticipatingTables)};
    SqliteAccessRuleStore store_{db_};
};

class MemoryBackend {
public:
    AccessRuleStore &store() { return store_; }

private:
    MemoryAccessRuleStore store_;
};

template <typename Backend>
class AccessRuleStoreContract : public ::testing::Test {
protected:
    AccessRuleStore &store() { return backend_.store(); }

private:
    Backend backend_;
};

TYPED_TEST_SUITE_P(AccessRuleStoreContract);

TYPED_TEST_P(AccessRuleStoreContract, WithoutRulesNothingIsDecided)
{
    EXPECT_EQ(this->store().decide(kAlice, kBob, kSession), std::nullopt);
    EXPECT_THAT(this->store().list(kAlice), IsEmpty());
}

TYPED_TEST_P(AccessRuleStoreContract, ListsTheOwnersRulesByPeerThenSessionBeforePager)
{
    this->store().set(kAlice, kCarol, kPager, kAllow);
    this->store().set(kAlice, "*", kSession, kReject);
    this->store().set(kAlice, kBob, kPager, kReject);
    this->store().set(kAlice, kBob, kSession, kAllow);
    this->store().set(kBob, kAlice, kSession, kReject);  // another owner's list
    EXPECT_THAT(this->store().list(kAlice), ElementsAre(AccessRule{kAlice, "*", kSession, kReject},
                                                        AccessRule{kAlice, kBob, kSession, kAllow},
                                                        AccessRule{kAlice, kBob, kPager, kReject},
                                                        AccessRule{kAlice, kCarol, kPager, kAllow}));
    EXPECT_THAT(this->store().list(kBob), ElementsAre(AccessRule{kBob, kAlice, kSession, kReject}));
}

TYPED_TEST_P(AccessRuleStoreContract, SetChangesTheActionOfAnExistingRule)
{
    this->store().set(kAlice, kBob, kSession, kReject);
    this->store().set(kAlice, kBob, kSession, kAllow);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kAllow));
    EXPECT_THAT(this->store().list(kAlice), ElementsAre(AccessRule{kAlice, kBob, kSession, kAllow}));
}

TYPED_TEST_P(AccessRuleStoreContract, SessionAndPagerListsAreSeparate)
{
    this->store().set(kAlice, kBob, kSession, kReject);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kReject));
    EXPECT_EQ(this->store().decide(kAlice, kBob, kPager), std::nullopt);
    this->store().set(kAlice, kBob, kPager, kAllow);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kPager), Optional(kAllow));
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kReject));
}

TYPED_TEST_P(AccessRuleStoreContract, RemoveReportsWhetherThereWasOneAndTouchesOnlyThatRule)
{
    EXPECT_FALSE(this->store().remove(kAlice, kBob, kSession));
    this->store().set(kAlice, kBob, kSession, kReject);
    this->store().set(kAlice, kBob, kPager, kReject);
    EXPECT_TRUE(this->store().remove(kAlice, kBob, kSession));
    EXPECT_FALSE(this->store().remove(kAlice, kBob, kSession));
    EXPECT_EQ(this->store().decide(kAlice, kBob, kSession), std::nullopt);
    EXPECT_THAT(this->store().list(kAlice), ElementsAre(AccessRule{kAlice, kBob, kPager, kReject}));
}

TYPED_TEST_P(AccessRuleStoreContract, TheMostSpecificRuleDecides)
{
    this->store().set(kAlice, "*", kSession, kReject);
    this->store().set(kAlice, "*@example.com", kSession, kAllow);
    this->store().set(kAlice, kBob, kSession, kReject);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kReject));       // exact
    EXPECT_THAT(this->store().decide(kAlice, kCarol, kSession), Optional(kAllow));      // domain
    EXPECT_THAT(this->store().decide(kAlice, kMallory, kSession), Optional(kReject));   // any
}

TYPED_TEST_P(AccessRuleStoreContract, SpecificityDoesNotDependOnTheOrderRulesWereSet)
{
    this->store().set(kAlice, kBob, kPager, kAllow);
    this->store().set(kAlice, "*@example.com", kPager, kReject);
    this->store().set(kAlice, "*", kPager, kAllow);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kPager), Optional(kAllow));
    EXPECT_THAT(this->store().decide(kAlice, kCarol, kPager), Optional(kReject));
    EXPECT_THAT(this->store().decide(kAlice, kMallory, kPager), Optional(kAllow));
}

TYPED_TEST_P(AccessRuleStoreContract, ALessSpecificRuleAppliesWhenNoMoreSpecificOneExists)
{
    this->store().set(kAlice, "*", kSession, kReject);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kReject));
    this->store().set(kAlice, "*@example.com", kSession, kAllow);
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kAllow));
    ASSERT_TRUE(this->store().remove(kAlice, "*@example.com", kSession));
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kReject));
}

TYPED_TEST_P(AccessRuleStoreContract, ADomainWildcardMatchesThatDomainOnly)
{
    this->store().set(kAlice, "*@example.com", kSession, kReject);
    EXPECT_THAT(this->store().decide(kAlice, "sip:anyone@example.com", kSession), Optional(kReject));
    EXPECT_THAT(this->store().decide(kAlice, "sips:anyone@example.com", kSession), Optional(kReject));
    EXPECT_EQ(this->store().decide(kAlice, "sip:x@sub.example.com", kSession), std::nullopt);
    EXPECT_EQ(this->store().decide(kAlice, "sip:x@example.com.evil.org", kSession), std::nullopt);
    EXPECT_EQ(this->store().decide(kAlice, "sip:x@notexample.com", kSession), std::nullopt);
    EXPECT_EQ(this->store().decide(kAlice, "sip:example.com", kSession), std::nullopt);
}

TYPED_TEST_P(AccessRuleStoreContract, DomainsCompareCaseInsensitively)
{
    this->store().set(kAlice, "*@Example.COM", kSession, kReject);
    EXPECT_THAT(this->store().list(kAlice), ElementsAre(AccessRule{kAlice, "*@example.com", kSession, kReject}));
    EXPECT_THAT(this->store().decide(kAlice, kBob, kSession), Optional(kReject));
    EXPECT_THAT(this->store().decide(kAlice, "sip:bob@EXAMPLE.com", kSession), Optional(kReject));
    this->store().set(kAlice, "*@EXAMPLE.com", kSession, kAllow);  // the same rule
    EXPECT_THAT(this->store().list(kAlice), ::testing::SizeIs(1));
    EXPECT_TRUE(this->store().remove(kAlice, "*@example.Com", kSession));
}

TYPED_TEST_P(AccessRuleStoreContract, ExactAorsCompareAsGiven)
{
    this->store().set(kAlice, "sip:Bob@example.com", kPager, kReject);
    EXPECT_THAT(this->store().decide(kAlice, "sip:Bob@example.com", kPager), Optional(kReject));
    EXPECT_EQ(this->store().decide(kAlice, "sip:bob@example.com", kPager), std::nullopt);
}

TYPED_TEST_P(AccessRuleStoreContract, APeerWithoutDomainMatchesOnlyExactAndAnyRules)
{
    this->store().set(kAlice, "*@example.com", kPager, kReject);
    EXPECT_EQ(this->store().decide(kAlice, "tel:+15551234", kPager), std::nullopt);
    this->store().set(kAlice, "*", kPager, kAllow);
    EXPECT_THAT(this->store().decide(kAlice, "tel:+15551234", kPager), Optional(kAllow));
    this->store().set(kAlice, "tel:+15551234", kPager, kReject);
    EXPECT_THAT(this->store().decide(kAlice, "tel:+15551234", kPager), Optional(kReject));
}

TYPED_TEST_P(AccessRuleStoreContract, RulesOfOtherOwnersDoNotApply)
{
    this->store().set(kBob, "*", kSession, kReject);
    this->store().set(kBob, kCarol, kSession, kReject);
    EXPECT_EQ(this->store().decide(kAlice, kCarol, kSession), std::nullopt);
    EXPECT_THAT(this->store().decide(kBob, kCarol, kSession), Optional(kReject));
}

TYPED_TEST_P(AccessRuleStoreContract, RefusesMalformedPatternsAndStoresNothing)
{
    for (const char *bad : {"", "*foo", "**", "*@", "*@a@b.com", "*@*.example.com", "*example.com"}) {
        SCOPED_TRACE(bad);
        EXPECT_THAT(store_error_of([&] { this->store().set(kAlice, bad, kSession, kReject); }),
                    HasSubstr("peer"));
    }
    EXPECT_THAT(this->store().list(kAlice), IsEmpty());
}

REGISTER_TYPED_TEST_SUITE_P(AccessRuleStoreContract, WithoutRulesNothingIsDecided,
                            ListsTheOwnersRulesByPeerThenSessionBeforePager, SetChangesTheActionOfAnExistingRule,
                            SessionAndPagerListsAreSeparate, RemoveReportsWhetherThereWasOneAndTouchesOnlyThatRule,
                            TheMostSpecificRuleDecides, SpecificityDoesNotDependOnTheOrderRulesWereSet,
                            ALessSpecificRuleAppliesWhenNoMoreSpecificOneExists, ADomainWildcardMatchesThatDomainOnly,
                            DomainsCompareCaseInsensitively, ExactAorsCompareAsGiven,
                            APeerWithoutDomainMatchesOnlyExactAndAnyRules, RulesOfOtherOwnersDoNotApply,
                            RefusesMalformedPatternsAndStoresNothing);

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, AccessRuleStoreContract, SqliteBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, AccessRuleStoreContract, MemoryBackend);

TEST(AccessRuleText, KindsAndActionsRoundTripTheirColumnSpelling)
{
    for (const AccessKind kind : {kSession, kPager})
        EXPECT_THAT(im::store::parse_access_kind(im::store::to_string(kind)), Optional(kind));
    for (const AccessAction action : {kAllow, kReject})
        EXPECT_THAT(im::store::parse_access_action(im::store::to_string(action)), Optional(action));
    EXPECT_EQ(im::store::to_string(kSession), "session");
    EXPECT_EQ(im::store::to_string(kPager), "pager");
    EXPECT_EQ(im::store::to_string(kAllow), "allow");
    EXPECT_EQ(im::store::to_string(kReject), "reject");
    EXPECT_EQ(im::store::parse_access_kind("Session"), std::nullopt);
    EXPECT_EQ(im::store::parse_access_action("block"), std::nullopt);
}

TEST(AccessRulePattern, NormalizesOnlyTheDomainOfAWildcard)
{
    EXPECT_EQ(im::store::normalize_peer_pattern("*"), "*");
    EXPECT_EQ(im::store::normalize_peer_pattern("*@Example.COM"), "*@example.com");
    EXPECT_EQ(im::store::normalize_peer_pattern("sip:Bob@Example.com"), "sip:Bob@Example.com");
    EXPECT_EQ(im::store::normalize_peer_pattern("sip:*21@example.com"), "sip:*21@example.com");
}

TEST(AccessRulePattern, ListsTheMatchingPatternsMostSpecificFirst)
{
    EXPECT_THAT(im::store::patterns_matching("sip:bob@Example.com"),
                ElementsAre("sip:bob@Example.com", "*@example.com", "*"));
    EXPECT_THAT(im::store::patterns_matching("tel:+15551234"), ElementsAre("tel:+15551234", "*"));
    EXPECT_THAT(im::store::patterns_matching("sip:bob@"), ElementsAre("sip:bob@", "*"));
}

// Another connection stands for another worker process (or the operator's
// tool): its writes must reach a store whose statements are already prepared
// and have been used, which holds only if every statement is reset after use.
TEST(SqliteAccessRuleStore, SeesRulesWrittenThroughAnotherConnection)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    SqliteDatabase reader_db = open_with_schema(path, im::store::kParticipatingTables);
    SqliteAccessRuleStore reader(reader_db);
    ASSERT_EQ(reader.decide(kAlice, kBob, kSession), std::nullopt);
    ASSERT_THAT(reader.list(kAlice), IsEmpty());

    SqliteDatabase writer_db(path);
    SqliteAccessRuleStore writer(writer_db);
    writer.set(kAlice, "*@example.com", kSession, kReject);
    EXPECT_THAT(reader.decide(kAlice, kBob, kSession), Optional(kReject));
    EXPECT_THAT(reader.list(kAlice), ::testing::SizeIs(1));

    writer.set(kAlice, kBob, kSession, kAllow);
    EXPECT_THAT(reader.decide(kAlice, kBob, kSession), Optional(kAllow));
    ASSERT_TRUE(writer.remove(kAlice, kBob, kSession));
    EXPECT_THAT(reader.decide(kAlice, kBob, kSession), Optional(kReject));
}

TEST(SqliteAccessRuleStore, NeedsTheSchemaToBeCreated)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(store_error_of([&] { SqliteAccessRuleStore store(db); }), HasSubstr("no such table: im_access_rule"));
}

}  // namespace

// One contract for every PolicyStore, run against SQLite and the in-memory
// fake, the combination of global and user rows, and the content-type and
// size checks the IM procedures make with the result.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "im/store/memory_policy_store.hpp"
#include "im/store/policy_store.hpp"
#include "im/store/schema.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_policy_store.hpp"
#include "im/store/store_error.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::combine_policies;
using im::store::content_type_allowed;
using im::store::EffectivePolicy;
using im::store::is_media_range;
using im::store::MemoryPolicyStore;
using im::store::Policy;
using im::store::PolicyStore;
using im::store::ScopedPolicy;
using im::store::size_allowed;
using im::store::SqliteDatabase;
using im::store::SqlitePolicyStore;
using im::store::testing::create_script;
using im::store::testing::store_error_of;
using im::store::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Optional;

const std::string kGlobal = "global";
const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
using Types = std::vector<std::string>;

using im::store::testing::open_with_schema;

class SqliteBackend {
public:
    PolicyStore &store() { return store_; }

private:
    TempDir dir_;
    SqliteDatabase db_{open_with_schema(dir_.file("im.db"), im::store::kParticipatingTables)};
    SqlitePolicyStore store_{db_};
};

class MemoryBackend {
public:
    PolicyStore &store() { return store_; }

private:
    MemoryPolicyStore store_;
};

template <typename Backend>
class PolicyStoreContract : public ::testing::Test {
protected:
    PolicyStore &store() { return backend_.store(); }

private:
    Backend backend_;
};

TYPED_TEST_SUITE_P(PolicyStoreContract);

TYPED_TEST_P(PolicyStoreContract, GetsBackEveryFieldThatWasSet)
{
    const Policy policy{.im_allowed = false,
                        .max_size = 4096,
                        .content_types = Types{"text/plain", "Message/CPIM", "image/*"},
                        .anonymity_allowed = false,
                        .group_advertisement_allowed = false};
    this->store().set(kAlice, policy);
    EXPECT_THAT(this->store().get(kAlice), Optional(policy));
}

TYPED_TEST_P(PolicyStoreContract, KeepsUnsetFieldsUnsetAndAnEmptyTypeListEmpty)
{
    this->store().set(kGlobal, Policy{});
    this->store().set(kAlice, Policy{.content_types = Types{}});
    this->store().set(kBob, Policy{.max_size = 0});
    EXPECT_THAT(this->store().get(kGlobal), Optional(Policy{}));
    EXPECT_THAT(this->store().get(kAlice), Optional(Policy{.content_types = Types{}}));
    EXPECT_THAT(this->store().get(kBob), Optional(Policy{.max_size = 0}));
}

TYPED_TEST_P(PolicyStoreContract, SetReplacesTheRowOfTheSameScope)
{
    this->store().set(kAlice, Policy{.im_allowed = false, .max_size = 10, .content_types = Types{"text/plain"}});
    this->store().set(kAlice, Policy{.anonymity_allowed = false});
    EXPECT_THAT(this->store().get(kAlice), Optional(Policy{.anonymity_allowed = false}));
    EXPECT_THAT(this->store().list(), ::testing::SizeIs(1));
}

TYPED_TEST_P(PolicyStoreContract, GetsOnlyTheScopeAskedFor)
{
    this->store().set(kAlice, Policy{.max_size = 10});
    EXPECT_EQ(this->store().get(kBob), std::nullopt);
    EXPECT_EQ(this->store().get(kGlobal), std::nullopt);
}

TYPED_TEST_P(PolicyStoreContract, RemoveReportsWhetherThereWasOne)
{
    EXPECT_FALSE(this->store().remove(kAlice));
    this->store().set(kAlice, Policy{.max_size = 10});
    EXPECT_TRUE(this->store().remove(kAlice));
    EXPECT_EQ(this->store().get(kAlice), std::nullopt);
    EXPECT_FALSE(this->store().remove(kAlice));
}

TYPED_TEST_P(PolicyStoreContract, ListsEveryRowByScope)
{
    EXPECT_THAT(this->store().list(), IsEmpty());
    this->store().set(kGlobal, Policy{.max_size = 1000});
    this->store().set(kBob, Policy{.im_allowed = false});
    this->store().set(kAlice, Policy{.content_types = Types{"text/plain"}});
    EXPECT_THAT(this->store().list(), ElementsAre(ScopedPolicy{kGlobal, Policy{.max_size = 1000}},
                                                  ScopedPolicy{kAlice, Policy{.content_types = Types{"text/plain"}}},
                                                  ScopedPolicy{kBob, Policy{.im_allowed = false}}));
}

TYPED_TEST_P(PolicyStoreContract, WithoutRowsTheBuiltInDefaultsApply)
{
    EXPECT_EQ(this->store().effective(kAlice), (EffectivePolicy{.im_allowed = true,
                                                                .max_size = std::nullopt,
                                                                .content_types = std::nullopt,
                                                                .anonymity_allowed = true}));
}

TYPED_TEST_P(PolicyStoreContract, TheGlobalRowAppliesToEveryUser)
{
    this->store().set(kGlobal, Policy{.im_allowed = false,
                                      .max_size = 1300,
                                      .content_types = Types{"text/*"},
                                      .anonymity_allowed = false});
    const EffectivePolicy expected{.im_allowed = false,
                                   .max_size = 1300,
                                   .content_types = Types{"text/*"},
                                   .anonymity_allowed = false};
    EXPECT_EQ(this->store().effective(kAlice), expected);
    EXPECT_EQ(this->store().effective(kBob), expected);
}

TYPED_TEST_P(PolicyStoreContract, AUserRowOverridesTheFieldsItSetsAndInheritsTheOthers)
{
    this->store().set(kGlobal, Policy{.max_size = 1300, .content_types = Types{"text/plain"}});
    this->store().set(kAlice, Policy{.max_size = 65536});
    this->store().set(kBob, Policy{.content_types = Types{"text/plain", "image/*"}});
    EXPECT_EQ(this->store().effective(kAlice),
              (EffectivePolicy{.max_size = 65536, .content_types = Types{"text/plain"}}));
    EXPECT_EQ(this->store().effective(kBob),
              (EffectivePolicy{.max_size = 1300, .content_types = Types{"text/plain", "image/*"}}));
    EXPECT_EQ(this->store().effective("sip:carol@example.com"),
              (EffectivePolicy{.max_size = 1300, .content_types = Types{"text/plain"}}));
}

TYPED_TEST_P(PolicyStoreContract, AUserRowWithoutLimitsInheritsNoLimitsWhenTheGlobalHasNone)
{
    this->store().set(kAlice, Policy{.anonymity_allowed = false});
    EXPECT_EQ(this->store().effective(kAlice), (EffectivePolicy{.anonymity_allowed = false}));
}

TYPED_TEST_P(PolicyStoreContract, AnEmptyUserTypeListOverridesTheGlobalOne)
{
    this->store().set(kGlobal, Policy{.content_types = Types{"*/*"}});
    this->store().set(kAlice, Policy{.content_types = Types{}});
    EXPECT_EQ(this->store().effective(kAlice).content_types, Types{});
}

// The booleans are NOT NULL columns: a user row always decides them.
TYPED_TEST_P(PolicyStoreContract, AUserRowDecidesTheBooleansEitherWay)
{
    this->store().set(kGlobal, Policy{.im_allowed = false, .anonymity_allowed = false});
    this->store().set(kAlice, Policy{.im_allowed = true, .anonymity_allowed = true});
    EXPECT_EQ(this->store().effective(kAlice), (EffectivePolicy{.im_allowed = true, .anonymity_allowed = true}));
    EXPECT_EQ(this->store().effective(kBob), (EffectivePolicy{.im_allowed = false, .anonymity_allowed = false}));

    this->store().set(kGlobal, Policy{});
    this->store().set(kAlice, Policy{.im_allowed = false});
    EXPECT_FALSE(this->store().effective(kAlice).im_allowed);
    EXPECT_TRUE(this->store().effective(kBob).im_allowed);

    this->store().set(kGlobal, Policy{.group_advertisement_allowed = false});
    this->store().set(kAlice, Policy{.group_advertisement_allowed = true});
    EXPECT_TRUE(this->store().effective(kAlice).group_advertisement_allowed);
    EXPECT_FALSE(this->store().effective(kBob).group_advertisement_allowed);
}

TYPED_TEST_P(PolicyStoreContract, RemovingARowFallsBackToTheLevelBelow)
{
    this->store().set(kGlobal, Policy{.max_size = 1300});
    this->store().set(kAlice, Policy{.im_allowed = false, .max_size = 10});
    ASSERT_TRUE(this->store().remove(kAlice));
    EXPECT_EQ(this->store().effective(kAlice), (EffectivePolicy{.max_size = 1300}));
    ASSERT_TRUE(this->store().remove(kGlobal));
    EXPECT_EQ(this->store().effective(kAlice), EffectivePolicy{});
}

TYPED_TEST_P(PolicyStoreContract, RefusesWhatCannotBeStoredAndKeepsTheOldRow)
{
    const Policy old{.max_size = 10};
    this->store().set(kAlice, old);
    EXPECT_THAT(store_error_of([&] { this->store().set(kAlice, Policy{.max_size = -1}); }),
                HasSubstr("max_size must not be negative"));
    for (const char *bad : {"", "text", "text/", "/plain", "*/plain", "text/plain;charset=utf-8", "text/plain,text/html",
                            " text/plain", "text /plain", "text/plain/x"}) {
        SCOPED_TRACE(bad);
        EXPECT_THAT(store_error_of([&] { this->store().set(kAlice, Policy{.content_types = Types{"text/plain", bad}}); }),
                    HasSubstr("is not a media range"));
    }
    EXPECT_THAT(this->store().get(kAlice), Optional(old));
}

REGISTER_TYPED_TEST_SUITE_P(PolicyStoreContract, GetsBackEveryFieldThatWasSet,
                            KeepsUnsetFieldsUnsetAndAnEmptyTypeListEmpty, SetReplacesTheRowOfTheSameScope,
                            GetsOnlyTheScopeAskedFor, RemoveReportsWhetherThereWasOne, ListsEveryRowByScope,
                            WithoutRowsTheBuiltInDefaultsApply, TheGlobalRowAppliesToEveryUser,
                            AUserRowOverridesTheFieldsItSetsAndInheritsTheOthers,
                            AUserRowWithoutLimitsInheritsNoLimitsWhenTheGlobalHasNone,
                            AnEmptyUserTypeListOverridesTheGlobalOne, AUserRowDecidesTheBooleansEitherWay,
                            RemovingARowFallsBackToTheLevelBelow, RefusesWhatCannotBeStoredAndKeepsTheOldRow);

INSTANTIATE_TYPED_TEST_SUITE_P(Sqlite, PolicyStoreContract, SqliteBackend);
INSTANTIATE_TYPED_TEST_SUITE_P(Memory, PolicyStoreContract, MemoryBackend);

TEST(PolicyCombination, TheUserRowAppliesOverTheGlobalRowOverTheDefaults)
{
    EXPECT_EQ(combine_policies(std::nullopt, std::nullopt), EffectivePolicy{});
    EXPECT_EQ(combine_policies(Policy{.max_size = 5}, std::nullopt), (EffectivePolicy{.max_size = 5}));
    EXPECT_EQ(combine_policies(std::nullopt, Policy{.im_allowed = false}), (EffectivePolicy{.im_allowed = false}));
    EXPECT_EQ(combine_policies(Policy{.max_size = 5, .content_types = Types{"text/plain"}},
                               Policy{.content_types = Types{"*/*"}, .anonymity_allowed = false}),
              (EffectivePolicy{.max_size = 5, .content_types = Types{"*/*"}, .anonymity_allowed = false}));
}

EffectivePolicy allowing(Types types) { return EffectivePolicy{.content_types = std::move(types)}; }

TEST(PolicyContentType, WithoutAListAnyTypeIsAllowed)
{
    EXPECT_TRUE(content_type_allowed(EffectivePolicy{}, "text/plain"));
    EXPECT_TRUE(content_type_allowed(EffectivePolicy{}, "application/x-anything+xml"));
    EXPECT_TRUE(content_type_allowed(EffectivePolicy{}, "garbage"));
}

TEST(PolicyContentType, AnEmptyListAllowsNothing)
{
    EXPECT_FALSE(content_type_allowed(allowing({}), "text/plain"));
}

TEST(PolicyContentType, MatchesAnExactTypeCaseInsensitively)
{
    const auto policy = allowing({"text/plain", "Message/CPIM"});
    EXPECT_TRUE(content_type_allowed(policy, "text/plain"));
    EXPECT_TRUE(content_type_allowed(policy, "TEXT/Plain"));
    EXPECT_TRUE(content_type_allowed(policy, "message/cpim"));
    EXPECT_FALSE(content_type_allowed(policy, "text/html"));
    EXPECT_FALSE(content_type_allowed(policy, "message/imdn+xml"));
    EXPECT_FALSE(content_type_allowed(policy, "text/plainer"));
    EXPECT_FALSE(content_type_allowed(policy, "application/plain"));
}

TEST(PolicyContentType, IgnoresParametersAndBlanks)
{
    const auto policy = allowing({"text/plain"});
    EXPECT_TRUE(content_type_allowed(policy, "text/plain;charset=UTF-8"));
    EXPECT_TRUE(content_type_allowed(policy, "text/plain ; charset=\"utf-8\"; format=flowed"));
    EXPECT_TRUE(content_type_allowed(policy, "  text/plain  "));
    EXPECT_FALSE(content_type_allowed(policy, "text/html;x=text/plain"));
}

TEST(PolicyContentType, ATypeWildcardMatchesEverySubtypeOfThatTypeOnly)
{
    const auto policy = allowing({"text/*", "IMAGE/*"});
    EXPECT_TRUE(content_type_allowed(policy, "text/plain"));
    EXPECT_TRUE(content_type_allowed(policy, "text/html; charset=utf-8"));
    EXPECT_TRUE(content_type_allowed(policy, "Text/X-Whatever"));
    EXPECT_TRUE(content_type_allowed(policy, "image/png"));
    EXPECT_FALSE(content_type_allowed(policy, "message/cpim"));
    EXPECT_FALSE(content_type_allowed(policy, "texts/plain"));
    EXPECT_FALSE(content_type_allowed(policy, "application/text"));
}

TEST(PolicyContentType, TheAnyWildcardMatchesEveryType)
{
    const auto policy = allowing({"text/plain", "*/*"});
    EXPECT_TRUE(content_type_allowed(policy, "application/vnd.oma.x+xml"));
    EXPECT_TRUE(content_type_allowed(policy, "message/cpim"));
    EXPECT_TRUE(content_type_allowed(policy, "garbage"));
}

TEST(PolicyContentType, AMalformedTypeMatchesNoRestrictedList)
{
    const auto policy = allowing({"text/*", "text/plain"});
    for (const char *malformed : {"", "text", "text/", "/plain", ";charset=utf-8", "te xt/plain", "text/pl@in"}) {
        SCOPED_TRACE(malformed);
        EXPECT_FALSE(content_type_allowed(policy, malformed));
    }
}

TEST(PolicyContentType, RecognisesMediaRanges)
{
    for (const char *good : {"text/plain", "text/*", "*/*", "application/vnd.oma.cpm-groupdata+xml", "Message/CPIM"})
        EXPECT_TRUE(is_media_range(good)) << good;
    for (const char *bad : {"", "*", "text", "*/plain", "text/plain;a=b", "text/plain, text/html", "a/b/c", "a b/c",
                            "text/\x7f"})
        EXPECT_FALSE(is_media_range(bad)) << bad;
}

TEST(PolicySize, WithoutALimitAnySizeIsAllowed)
{
    EXPECT_TRUE(size_allowed(EffectivePolicy{}, 0));
    EXPECT_TRUE(size_allowed(EffectivePolicy{}, INT64_MAX));
}

TEST(PolicySize, TheLimitItselfIsAllowed)
{
    const EffectivePolicy policy{.max_size = 1300};
    EXPECT_TRUE(size_allowed(policy, 0));
    EXPECT_TRUE(size_allowed(policy, 1300));
    EXPECT_FALSE(size_allowed(policy, 1301));
    EXPECT_FALSE(size_allowed(EffectivePolicy{.max_size = 0}, 1));
}

TEST(SqlitePolicyStore, ReadsRowsWrittenByHand)
{
    TempDir dir;
    SqliteDatabase db = open_with_schema(dir.file("im.db"), im::store::kParticipatingTables);
    db.exec("INSERT INTO im_policy (scope, content_types) VALUES ('global', ' text/plain , message/cpim ,');"
            "INSERT INTO im_policy (scope, im_allowed, max_size) VALUES ('sip:alice@example.com', 0, 500);");
    SqlitePolicyStore store(db);
    EXPECT_THAT(store.get(kGlobal), Optional(Policy{.content_types = Types{"text/plain", "message/cpim"}}));
    EXPECT_EQ(store.effective(kAlice), (EffectivePolicy{.im_allowed = false,
                                                        .max_size = 500,
                                                        .content_types = Types{"text/plain", "message/cpim"}}));
}

// Another connection stands for another worker process (or the operator's
// tool): its writes must reach a store whose statements are already prepared
// and have been used, which holds only if every statement is reset after use.
TEST(SqlitePolicyStore, SeesRowsWrittenThroughAnotherConnection)
{
    TempDir dir;
    const auto path = dir.file("im.db");
    SqliteDatabase reader_db = open_with_schema(path, im::store::kParticipatingTables);
    SqlitePolicyStore reader(reader_db);
    ASSERT_EQ(reader.effective(kAlice), EffectivePolicy{});
    ASSERT_EQ(reader.get(kGlobal), std::nullopt);
    ASSERT_THAT(reader.list(), IsEmpty());

    SqliteDatabase writer_db(path);
    SqlitePolicyStore writer(writer_db);
    writer.set(kGlobal, Policy{.max_size = 1300});
    writer.set(kAlice, Policy{.im_allowed = false});
    EXPECT_EQ(reader.effective(kAlice), (EffectivePolicy{.im_allowed = false, .max_size = 1300}));
    EXPECT_THAT(reader.get(kGlobal), Optional(Policy{.max_size = 1300}));
    EXPECT_THAT(reader.list(), ::testing::SizeIs(2));

    writer.remove(kAlice);
    EXPECT_EQ(reader.effective(kAlice), (EffectivePolicy{.max_size = 1300}));
}

TEST(SqlitePolicyStore, NeedsTheSchemaToBeCreated)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(store_error_of([&] { SqlitePolicyStore store(db); }), HasSubstr("no such table: im_policy"));
}

}  // namespace

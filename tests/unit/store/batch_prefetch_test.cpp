// The batch reads of a group MESSAGE's recipient checks: each SQLite store
// prefetches a set of users in one statement and then answers exactly as its
// one-by-one queries would.
#include <gtest/gtest.h>

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
using im::store::testing::open_with_schema;
using im::store::testing::TempDir;

const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
const std::string kCarol = "sip:carol@example.com";
const std::string kDave = "sip:dave@example.com";
const std::string kMallory = "sip:mallory@evil.example.org";

class BatchPrefetch : public ::testing::Test {
protected:
    TempDir dir;
    im::store::SqliteDatabase db = open_with_schema(dir.file("im.db"), im::store::kParticipatingTables);
};

}  // namespace

TEST(JsonStringArray, EscapesQuotesBackslashesAndControls)
{
    EXPECT_EQ(im::store::json_string_array({}), "[]");
    EXPECT_EQ(im::store::json_string_array({"sip:a@x", "b\"c\\d\n"}), "[\"sip:a@x\",\"b\\\"c\\\\d\\u000a\"]");
}

TEST_F(BatchPrefetch, SettingsAnswerAsTheSingleQueries)
{
    im::store::SqliteSettingsStore store(db);
    store.publish_initial(kAlice, "<doc/>", {.ipab_active = true}, 2000, 100);
    store.publish_initial(kBob, "<doc/>", {.vis_status = false}, 500, 100);  // expired at 1000
    const auto alice = store.find_active(kAlice, 1000), bob = store.find_active(kBob, 1000),
               carol = store.find_active(kCarol, 1000);
    store.prefetch({kAlice, kBob, kCarol, "sip:we\"ird@example.com"});
    EXPECT_EQ(store.find_active(kAlice, 1000), alice);
    EXPECT_EQ(store.find_active(kBob, 1000), bob);
    EXPECT_FALSE(store.find_active(kBob, 1000));
    EXPECT_EQ(store.find_active(kCarol, 1000), carol);
    store.forget_prefetched();
    EXPECT_EQ(store.find_active(kAlice, 1000), alice);
}

TEST_F(BatchPrefetch, AccessDecisionsAnswerAsTheSingleQueries)
{
    im::store::SqliteAccessRuleStore store(db);
    store.set(kAlice, "*@example.com", AccessKind::pager, AccessAction::reject);
    store.set(kAlice, kDave, AccessKind::pager, AccessAction::allow);  // the exact peer outranks the domain
    store.set(kBob, "*", AccessKind::pager, AccessAction::reject);
    store.set(kCarol, kDave, AccessKind::session, AccessAction::reject);  // another kind
    std::vector<std::optional<AccessAction>> single;
    for (const auto &owner : {kAlice, kBob, kCarol, kMallory}) single.push_back(store.decide(owner, kDave, AccessKind::pager));
    EXPECT_EQ(single[0], AccessAction::allow);
    EXPECT_EQ(single[1], AccessAction::reject);
    EXPECT_EQ(single[2], std::nullopt);

    store.prefetch({kAlice, kBob, kCarol, kMallory});
    std::size_t i = 0;
    for (const auto &owner : {kAlice, kBob, kCarol, kMallory}) EXPECT_EQ(store.decide(owner, kDave, AccessKind::pager), single[i++]) << owner;
    // The owners' whole lists were read: another peer or kind is answered too.
    EXPECT_EQ(store.decide(kCarol, kDave, AccessKind::session), AccessAction::reject);
    EXPECT_EQ(store.decide(kAlice, kMallory, AccessKind::pager), std::nullopt);
}

// An owner listed twice (two addresses of one user) keeps its rules.
TEST_F(BatchPrefetch, AnOwnerListedTwiceKeepsItsRules)
{
    im::store::SqliteAccessRuleStore store(db);
    store.set(kAlice, kMallory, AccessKind::pager, AccessAction::reject);
    store.prefetch({kAlice, kBob, kAlice});
    EXPECT_EQ(store.decide(kAlice, kMallory, AccessKind::pager), AccessAction::reject);
    EXPECT_EQ(store.decide(kBob, kMallory, AccessKind::pager), std::nullopt);
}

TEST_F(BatchPrefetch, PoliciesAnswerAsTheSingleQueries)
{
    im::store::SqlitePolicyStore store(db);
    store.set("global", {.max_size = 1000, .group_advertisement_allowed = false});
    store.set(kAlice, {.im_allowed = false, .content_types = std::vector<std::string>{"text/plain"}});
    const auto alice = store.effective(kAlice), bob = store.effective(kBob);
    store.prefetch({kAlice, kBob});
    EXPECT_EQ(store.effective(kAlice), alice);
    EXPECT_EQ(store.effective(kBob), bob);
    EXPECT_EQ(store.effective(kBob).max_size, 1000);
}

TEST_F(BatchPrefetch, AWriteThroughTheStoreEndsThePrefetch)
{
    im::store::SqlitePolicyStore store(db);
    store.prefetch({kAlice});
    EXPECT_TRUE(store.effective(kAlice).im_allowed);
    store.set(kAlice, {.im_allowed = false});
    EXPECT_FALSE(store.effective(kAlice).im_allowed);
}

TEST_F(BatchPrefetch, WillingnessAnswersAsTheSingleQueries)
{
    im::store::SqliteWillingnessStore store(db);
    EXPECT_TRUE(store.willing(kAlice));  // nothing published: willing
    store.set(kAlice, false, 100);
    store.set(kBob, true, 100);
    store.set(kCarol, false, 100);
    store.forget(kCarol);
    EXPECT_FALSE(store.willing(kAlice));
    EXPECT_TRUE(store.willing(kBob));
    EXPECT_TRUE(store.willing(kCarol));
    store.prefetch({kAlice, kBob, kCarol, kDave});
    EXPECT_FALSE(store.willing(kAlice));
    EXPECT_TRUE(store.willing(kBob));
    EXPECT_TRUE(store.willing(kCarol));
    EXPECT_TRUE(store.willing(kDave));
    store.set(kBob, false, 200);  // a write ends the batch: the next read sees it
    EXPECT_FALSE(store.willing(kBob));
}

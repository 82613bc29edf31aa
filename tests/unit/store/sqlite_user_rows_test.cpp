// A group MESSAGE's recipients' rows of the four user tables, read in one
// batch (SqliteUserRows): one snapshot when the batch reads anything, none
// at all when every row is cached, and rows that stay right for the whole
// batch, whatever other processes write meanwhile.
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/sqlite_registration_store.hpp"
#include "im/store/sqlite_user_rows.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::AccessAction;
using im::store::AccessKind;
using im::store::RowCacheConfig;
using im::store::SqliteDatabase;
using im::store::SqliteUserRows;
using im::store::testing::Generation;
using im::store::testing::open_with_schema;
using im::store::testing::TempDir;

const std::string kAlice = "sip:alice@example.com";
const std::string kBob = "sip:bob@example.com";
const std::string kCarol = "sip:carol@example.com";
const std::string kDave = "sip:dave@example.com";
const std::string kMallory = "sip:mallory@example.com";
constexpr std::int64_t kNow = 1000;

// The statements a connection runs (sqlite3_trace_v2), as their SQL text.
class StatementLog {
public:
    explicit StatementLog(SqliteDatabase &db) : db_(db)
    {
        sqlite3_trace_v2(db_.handle(), SQLITE_TRACE_STMT, &StatementLog::trace, this);
    }
    ~StatementLog() { sqlite3_trace_v2(db_.handle(), 0, nullptr, nullptr); }
    StatementLog(const StatementLog &) = delete;
    StatementLog &operator=(const StatementLog &) = delete;

    std::size_t count(std::string_view prefix) const
    {
        std::size_t n = 0;
        for (const std::string &sql : statements) n += sql.starts_with(prefix) ? 1 : 0;
        return n;
    }

    std::vector<std::string> statements;

private:
    static int trace(unsigned, void *self, void *statement, void *)
    {
        const char *sql = sqlite3_sql(static_cast<sqlite3_stmt *>(statement));
        static_cast<StatementLog *>(self)->statements.emplace_back(sql ? sql : "");
        return 0;
    }

    SqliteDatabase &db_;
};

// One worker's four stores over a database, their caches kept between
// batches with the generations the workers share (or for one batch only
// without), and a second connection for "other processes".
class UserRowsTest : public ::testing::Test {
protected:
    struct Worker {
        Worker(SqliteDatabase &db, const std::array<RowCacheConfig, 4> &caches)
            : settings(db, im::store::system_random_bits(), caches[0]),
              policies(db, caches[1]),
              access_rules(db, caches[2]),
              willingness(db, caches[3]),
              reader(db, {settings, policies, access_rules, willingness})
        {
        }
        im::store::SqliteSettingsStore settings;
        im::store::SqlitePolicyStore policies;
        im::store::SqliteAccessRuleStore access_rules;
        im::store::SqliteWillingnessStore willingness;
        SqliteUserRows reader;
    };

    std::array<RowCacheConfig, 4> shared_caches(std::size_t max_rows = 65536)
    {
        return {RowCacheConfig{&settings_generation.counter(), max_rows},
                RowCacheConfig{&policy_generation.counter(), max_rows},
                RowCacheConfig{&access_generation.counter(), max_rows},
                RowCacheConfig{&willingness_generation.counter(), max_rows}};
    }

    // Rows for the users: alice barred pager mode and unwilling, bob a
    // user policy and an access list, carol nothing (absent rows).
    void write_rows()
    {
        Worker writer(other, shared_caches());
        writer.settings.publish_initial(kAlice, "<doc/>", {.ipab_active = true}, 2000, 100);
        writer.settings.publish_initial(kDave, "<doc/>", {.vis_status = false}, 500, 100);  // expired at kNow
        writer.policies.set("global", {.max_size = 1000});
        writer.policies.set(kBob, {.im_allowed = false});
        writer.access_rules.set(kBob, kMallory, AccessKind::pager, AccessAction::reject);
        writer.willingness.set(kAlice, false, 100);
    }

    // What the batch's rows of a user answer must equal: the stores' own
    // reads, through stores that cache nothing.
    void expect_rows_answer_as_the_stores(const im::store::UserRows &rows, const std::string &user)
    {
        Worker plain(other, {});
        EXPECT_EQ(im::store::active_settings_of(rows.settings, kNow), plain.settings.active_settings(user, kNow)) << user;
        EXPECT_EQ(rows.policy, plain.policies.effective(user)) << user;
        for (const std::string &peer : {kAlice, kMallory})
            for (const AccessKind kind : {AccessKind::pager, AccessKind::session})
                EXPECT_EQ(im::store::decide_among(rows.access_rules, peer, kind),
                          plain.access_rules.decide(user, peer, kind))
                    << user;
        EXPECT_EQ(rows.willing, plain.willingness.willing(user)) << user;
    }

    TempDir dir;
    std::filesystem::path path = dir.file("im.db");
    SqliteDatabase db = open_with_schema(path, im::store::kParticipatingTables);
    SqliteDatabase other{path};
    Generation settings_generation, policy_generation, access_generation, willingness_generation;
};

TEST_F(UserRowsTest, TheFirstBatchReadsEveryTableInOneSnapshot)
{
    write_rows();
    Worker worker(db, shared_caches());
    const std::vector<std::string> users{kAlice, kBob, kCarol, kDave};
    StatementLog log(db);
    {
        const SqliteUserRows::Batch batch(worker.reader, users);
        EXPECT_TRUE(batch.read_database());
        EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);  // the snapshot lasts the batch
        for (std::size_t i = 0; i < users.size(); ++i) expect_rows_answer_as_the_stores(batch.rows(i), users[i]);
    }
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
    EXPECT_EQ(log.count("BEGIN"), 1u);
    EXPECT_EQ(log.count("COMMIT"), 1u);
    EXPECT_EQ(log.count("SELECT"), 4u);  // one per table
    EXPECT_EQ(log.statements.size(), 6u);
}

TEST_F(UserRowsTest, NoStatementAtAllWhenEveryRowIsCached)
{
    write_rows();
    Worker worker(db, shared_caches());
    const std::vector<std::string> users{kAlice, kBob, kCarol, kDave};
    { const SqliteUserRows::Batch warm(worker.reader, users); }

    StatementLog log(db);
    {
        const SqliteUserRows::Batch batch(worker.reader, users);
        EXPECT_FALSE(batch.read_database());
        EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
        for (std::size_t i = 0; i < users.size(); ++i) expect_rows_answer_as_the_stores(batch.rows(i), users[i]);
    }
    EXPECT_TRUE(log.statements.empty()) << log.statements.front();
}

// The checks' other reads during the batch (a registration the shared
// cache does not hold) begin the one snapshot, and the batch ends it.
TEST_F(UserRowsTest, AnotherReadDuringACachedBatchBeginsTheSnapshot)
{
    write_rows();
    Worker worker(db, shared_caches());
    im::store::SqliteRegistrationStore registrations(db);
    const std::vector<std::string> users{kAlice, kBob};
    { const SqliteUserRows::Batch warm(worker.reader, users); }

    StatementLog log(db);
    {
        const SqliteUserRows::Batch batch(worker.reader, users);
        EXPECT_FALSE(batch.read_database());
        EXPECT_FALSE(registrations.known(kAlice));
        EXPECT_FALSE(registrations.known(kBob));
        EXPECT_TRUE(batch.read_database());
        EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);
    }
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
    ASSERT_EQ(log.statements.size(), 4u);
    EXPECT_EQ(log.statements.front(), "BEGIN");
    EXPECT_EQ(log.count("SELECT 1 FROM im_registration"), 2u);
    EXPECT_EQ(log.statements.back(), "COMMIT");
}

// One store missing rows (a new recipient, or another process's write)
// begins the snapshot: one BEGIN, that store's read, one COMMIT.
TEST_F(UserRowsTest, OneSnapshotWhenOneStoreMissesRows)
{
    write_rows();
    Worker worker(db, shared_caches());
    const std::vector<std::string> users{kAlice, kBob, kCarol};
    { const SqliteUserRows::Batch warm(worker.reader, users); }

    Worker(other, shared_caches()).willingness.set(kCarol, false, 200);  // another process
    StatementLog log(db);
    {
        const SqliteUserRows::Batch batch(worker.reader, users);
        EXPECT_TRUE(batch.read_database());
        EXPECT_FALSE(batch.rows(2).willing);
        expect_rows_answer_as_the_stores(batch.rows(2), kCarol);
    }
    ASSERT_EQ(log.statements.size(), 3u);
    EXPECT_EQ(log.count("BEGIN"), 1u);
    EXPECT_NE(log.statements[1].find("FROM im_willingness"), std::string::npos) << log.statements[1];
    EXPECT_EQ(log.count("COMMIT"), 1u);

    log.statements.clear();
    { const SqliteUserRows::Batch batch(worker.reader, {kAlice, kBob, kCarol, kDave}); }  // dave: new
    EXPECT_EQ(log.count("BEGIN"), 1u);
    EXPECT_EQ(log.count("SELECT"), 4u);  // dave in each table
}

// Another process writes while a batch is checking its recipients: the
// batch keeps answering from the rows it found (they must stay valid: the
// sanitized build would catch a dangling one), the next batch reads anew.
TEST_F(UserRowsTest, RowsStayRightAcrossAGenerationChangeDuringTheBatch)
{
    write_rows();
    Worker worker(db, shared_caches());
    const std::vector<std::string> users{kAlice, kBob};
    { const SqliteUserRows::Batch warm(worker.reader, users); }
    {
        const SqliteUserRows::Batch batch(worker.reader, users);
        Worker writer(other, shared_caches());
        writer.willingness.set(kAlice, true, 300);
        writer.policies.set(kBob, {.im_allowed = true});
        writer.settings.publish_initial(kBob, "<doc/>", {.isb_active = true}, 2000, 300);
        writer.access_rules.set(kBob, kMallory, AccessKind::pager, AccessAction::allow);
        EXPECT_FALSE(batch.rows(0).willing);
        EXPECT_FALSE(batch.rows(1).policy.im_allowed);
        EXPECT_FALSE(batch.rows(1).settings);
        EXPECT_EQ(im::store::decide_among(batch.rows(1).access_rules, kMallory, AccessKind::pager), AccessAction::reject);
    }
    const SqliteUserRows::Batch after(worker.reader, users);
    EXPECT_TRUE(after.read_database());
    EXPECT_TRUE(after.rows(0).willing);
    EXPECT_TRUE(after.rows(1).policy.im_allowed);
    ASSERT_TRUE(after.rows(1).settings);
    EXPECT_EQ(after.rows(1).settings->settings.isb_active, true);
    EXPECT_EQ(im::store::decide_among(after.rows(1).access_rules, kMallory, AccessKind::pager), AccessAction::allow);
}

// With room for two rows per store, a batch of three read after two cached
// rows drops them first (never during the batch); a batch larger than the
// bound keeps all its rows until it ends.
TEST_F(UserRowsTest, RowsStayRightAcrossTheMaxRowsClear)
{
    write_rows();
    Worker worker(db, shared_caches(2));
    { const SqliteUserRows::Batch warm(worker.reader, {kAlice, kBob}); }
    for (const std::vector<std::string> &users :
         {std::vector<std::string>{kBob, kCarol, kAlice}, std::vector<std::string>{kAlice, kBob, kCarol, kDave},
          std::vector<std::string>{kDave, kAlice}}) {
        const SqliteUserRows::Batch batch(worker.reader, users);
        EXPECT_TRUE(batch.read_database());
        for (std::size_t i = 0; i < users.size(); ++i) expect_rows_answer_as_the_stores(batch.rows(i), users[i]);
    }
}

TEST_F(UserRowsTest, WithoutGenerationsEveryBatchReads)
{
    write_rows();
    Worker worker(db, {});
    for (int round = 0; round < 2; ++round) {
        StatementLog log(db);
        {
            const SqliteUserRows::Batch batch(worker.reader, {kAlice, kBob});
            EXPECT_TRUE(batch.read_database());
            expect_rows_answer_as_the_stores(batch.rows(0), kAlice);
            expect_rows_answer_as_the_stores(batch.rows(1), kBob);
        }
        EXPECT_EQ(log.count("BEGIN"), 1u);
    }
}

// A read that fails ends the batch (no snapshot left open) and caches no
// row it did not read: the next batch reads again, rather than answering
// "willing" for a user whose row it never saw.
TEST_F(UserRowsTest, AFailedReadEndsTheBatchAndCachesNothingItDidNotRead)
{
    write_rows();
    Worker worker(db, shared_caches());
    other.exec("ALTER TABLE im_willingness RENAME TO im_willingness_away");
    EXPECT_THROW(SqliteUserRows::Batch(worker.reader, {kAlice}), im::store::StoreError);
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
    EXPECT_THROW(SqliteUserRows::Batch(worker.reader, {kAlice}), im::store::StoreError);  // read again

    other.exec("ALTER TABLE im_willingness_away RENAME TO im_willingness");
    const SqliteUserRows::Batch batch(worker.reader, {kAlice});
    EXPECT_FALSE(batch.rows(0).willing);
}

TEST_F(UserRowsTest, OneBatchAtATime)
{
    Worker worker(db, shared_caches());
    const SqliteUserRows::Batch batch(worker.reader, {kAlice});
    EXPECT_THROW(SqliteUserRows::Batch(worker.reader, {kBob}), std::logic_error);
    EXPECT_TRUE(batch.rows(0).willing);
}

}  // namespace

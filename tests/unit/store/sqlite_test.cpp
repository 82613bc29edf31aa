#include "im/store/sqlite.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sqlite3.h>

#include <array>
#include <chrono>

#include "im/store/store_error.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::SqliteDatabase;
using im::store::SqliteStatement;
using im::store::SqliteReadSnapshot;
using im::store::SqliteTransaction;
using im::store::StepResult;
using im::store::StoreError;
using im::store::testing::store_error_of;
using im::store::testing::TempDir;
using ::testing::HasSubstr;

std::int64_t query_int(SqliteDatabase &db, std::string_view sql)
{
    SqliteStatement query(db, sql);
    EXPECT_EQ(query.step(), StepResult::row) << sql;
    return query.column_int64(0);
}

std::string query_text(SqliteDatabase &db, std::string_view sql)
{
    SqliteStatement query(db, sql);
    EXPECT_EQ(query.step(), StepResult::row) << sql;
    return query.column_text(0);
}

TEST(SqliteDatabase, OpensInWalWithNormalSyncForeignKeysAndTheBusyTimeout)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"), std::chrono::milliseconds(1234));
    EXPECT_EQ(query_text(db, "PRAGMA journal_mode"), "wal");
    EXPECT_EQ(query_int(db, "PRAGMA synchronous"), 1);  // NORMAL
    EXPECT_EQ(query_int(db, "PRAGMA foreign_keys"), 1);
    EXPECT_EQ(query_int(db, "PRAGMA busy_timeout"), 1234);

    db.exec("CREATE TABLE t (x INTEGER)");
    EXPECT_TRUE(std::filesystem::exists(dir.file("im.db-wal")));
}

TEST(SqliteDatabase, DefaultBusyTimeoutIsFiveSeconds)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_EQ(query_int(db, "PRAGMA busy_timeout"), 5000);
}

TEST(SqliteDatabase, OpenFailureNamesThePath)
{
    TempDir dir;
    const auto path = dir.file("no-such-dir/im.db");
    EXPECT_THAT(store_error_of([&] { SqliteDatabase db(path); }), HasSubstr(path.string()));
}

TEST(SqliteDatabase, ExecRunsAScriptWithComments)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("-- a script\nCREATE TABLE t (x INTEGER);\nINSERT INTO t VALUES (1);\nINSERT INTO t VALUES (2);\n-- end\n");
    EXPECT_EQ(query_int(db, "SELECT sum(x) FROM t"), 3);
    EXPECT_EQ(db.changes(), 1);
    EXPECT_EQ(db.last_insert_rowid(), 2);
}

TEST(SqliteDatabase, ExecFailureNamesSqliteMessageAndStatement)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    const auto message = store_error_of([&] { db.exec("CREATE TABLE t (x); INSERT INTO nowhere VALUES (1);"); });
    EXPECT_THAT(message, HasSubstr("no such table: nowhere"));
    EXPECT_THAT(message, HasSubstr("INSERT INTO nowhere VALUES (1);"));
    EXPECT_THAT(message, ::testing::Not(HasSubstr("CREATE TABLE")));
}

TEST(SqliteDatabase, MovedConnectionKeepsItsStatementsWorking)
{
    TempDir dir;
    SqliteDatabase first(dir.file("im.db"));
    first.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (7);");
    SqliteStatement select(first, "SELECT x FROM t");
    SqliteDatabase moved(std::move(first));
    ASSERT_EQ(select.step(), StepResult::row);
    EXPECT_EQ(select.column_int64(0), 7);
    EXPECT_EQ(moved.path(), dir.file("im.db"));
}

TEST(SqliteDatabase, WriterWaitsForTheBusyTimeoutThenFailsWithLocked)
{
    TempDir dir;
    SqliteDatabase holder(dir.file("im.db"));
    holder.exec("CREATE TABLE t (x INTEGER)");
    SqliteDatabase waiter(dir.file("im.db"), std::chrono::milliseconds(100));
    {
        SqliteTransaction lock(holder);
        const auto start = std::chrono::steady_clock::now();
        EXPECT_THAT(store_error_of([&] { waiter.exec("INSERT INTO t VALUES (1)"); }), HasSubstr("database is locked"));
        EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(90));
    }
    waiter.exec("INSERT INTO t VALUES (1)");  // lock released by the rollback
    EXPECT_EQ(query_int(holder, "SELECT count(*) FROM t"), 1);
}

TEST(SqliteStatement, BindsAndReadsBackEveryType)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (s TEXT, i INTEGER, b BLOB, n TEXT)");
    const std::array<std::byte, 4> blob{std::byte{0x00}, std::byte{0xff}, std::byte{0x00}, std::byte{0x41}};
    SqliteStatement insert(db, "INSERT INTO t VALUES (?1, ?2, ?3, ?4)");
    insert.bind_text(1, "héllo").bind_int64(2, -9'000'000'000'000).bind_blob(3, blob).bind_null(4);
    EXPECT_EQ(insert.step(), StepResult::done);

    SqliteStatement select(db, "SELECT s, i, b, n FROM t");
    ASSERT_EQ(select.step(), StepResult::row);
    EXPECT_EQ(select.column_text(0), "héllo");
    EXPECT_EQ(select.column_int64(1), -9'000'000'000'000);
    EXPECT_EQ(select.column_blob(2), std::vector<std::byte>(blob.begin(), blob.end()));
    EXPECT_FALSE(select.column_is_null(0));
    EXPECT_TRUE(select.column_is_null(3));
    EXPECT_EQ(select.column_text(3), "");
    EXPECT_EQ(select.step(), StepResult::done);
}

TEST(SqliteStatement, EmptyTextAndBlobStayNotNull)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (s TEXT NOT NULL, b BLOB NOT NULL)");
    SqliteStatement insert(db, "INSERT INTO t VALUES (?1, ?2)");
    insert.bind_text(1, std::string_view{}).bind_blob(2, std::span<const std::byte>{});
    EXPECT_EQ(insert.step(), StepResult::done);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t WHERE s = '' AND length(b) = 0"), 1);
}

TEST(SqliteStatement, StepYieldsEachRowThenDone)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2);");
    SqliteStatement select(db, "SELECT x FROM t ORDER BY x");
    ASSERT_EQ(select.step(), StepResult::row);
    EXPECT_EQ(select.column_int64(0), 1);
    ASSERT_EQ(select.step(), StepResult::row);
    EXPECT_EQ(select.column_int64(0), 2);
    EXPECT_EQ(select.step(), StepResult::done);
}

TEST(SqliteStatement, ResetRewindsAndClearsBindings)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    SqliteStatement echo(db, "SELECT ?1");
    echo.bind_int64(1, 5);
    ASSERT_EQ(echo.step(), StepResult::row);
    EXPECT_EQ(echo.column_int64(0), 5);
    echo.reset();
    ASSERT_EQ(echo.step(), StepResult::row);
    EXPECT_TRUE(echo.column_is_null(0));
}

TEST(SqliteStatement, PrepareErrorNamesSqliteMessageAndStatement)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    const auto message = store_error_of([&] { SqliteStatement bad(db, "SELEC 1"); });
    EXPECT_THAT(message, HasSubstr("syntax error"));
    EXPECT_THAT(message, HasSubstr("SELEC 1"));
}

TEST(SqliteStatement, RefusesMoreThanOneStatementButAllowsTrailingSemicolonAndComment)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(store_error_of([&] { SqliteStatement two(db, "SELECT 1; SELECT 2"); }), HasSubstr("more than one"));
    SqliteStatement one(db, "SELECT 1; -- the answer\n");
    ASSERT_EQ(one.step(), StepResult::row);
    EXPECT_EQ(one.column_int64(0), 1);
}

TEST(SqliteStatement, BadParameterOrColumnIndexThrows)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    SqliteStatement echo(db, "SELECT ?1");
    EXPECT_THAT(store_error_of([&] { echo.bind_int64(2, 1); }), HasSubstr("parameter 2"));
    EXPECT_THROW(echo.column_int64(0), StoreError);  // no row yet
    ASSERT_EQ(echo.step(), StepResult::row);
    EXPECT_THROW(echo.column_text(1), StoreError);
}

TEST(SqliteStatement, StepFailureThrowsAndTheStatementStaysUsable)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    SqliteStatement insert(db, "INSERT INTO t VALUES (?1)");
    insert.bind_text(1, "a").step();
    insert.reset();
    insert.bind_text(1, "a");
    const auto message = store_error_of([&] { insert.step(); });
    EXPECT_THAT(message, HasSubstr("UNIQUE constraint failed: t.k"));
    EXPECT_THAT(message, HasSubstr("INSERT INTO t VALUES (?1)"));
    insert.reset();
    insert.bind_text(1, "b");
    EXPECT_EQ(insert.step(), StepResult::done);
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 2);
}

TEST(SqliteTransaction, CommitKeepsTheChanges)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    {
        SqliteTransaction transaction(db);
        db.exec("INSERT INTO t VALUES (1)");
        transaction.commit();
    }
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 1);
}

TEST(SqliteTransaction, RollsBackWhenLeftWithoutCommit)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    try {
        SqliteTransaction transaction(db);
        db.exec("INSERT INTO t VALUES (1)");
        db.exec("INSERT INTO nowhere VALUES (1)");
        transaction.commit();
    } catch (const StoreError &) {
    }
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 0);
    SqliteTransaction again(db);  // no transaction left open
    again.commit();
}

TEST(SqliteTransaction, HoldsTheWriteLockFromTheStart)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    SqliteDatabase other(dir.file("im.db"), std::chrono::milliseconds(0));
    SqliteTransaction transaction(db);
    EXPECT_THROW(SqliteTransaction{other}, StoreError);
    EXPECT_EQ(query_int(other, "SELECT count(*) FROM t"), 0);  // readers still go on under WAL
}

TEST(SqliteReadSnapshot, QueriesInsideSeeOneSnapshotAndItEndsWithTheScope)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    SqliteDatabase writer(dir.file("im.db"));
    {
        SqliteReadSnapshot snapshot(db);
        EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 0);
        writer.exec("INSERT INTO t VALUES (1)");  // WAL: the writer is not blocked
        EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 0);
    }
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 1);
    SqliteTransaction next(db);  // no transaction left open
    next.commit();
}

TEST(SqliteReadSnapshot, OneConnectionTakesSnapshotAfterSnapshotAlsoAfterAMove)
{
    TempDir dir;
    SqliteDatabase first(dir.file("im.db"));
    first.exec("CREATE TABLE t (x INTEGER)");
    SqliteDatabase writer(dir.file("im.db"));
    SqliteDatabase db(std::move(first));  // its prepared BEGIN and COMMIT move with it
    for (int i = 1; i <= 3; ++i) {
        writer.exec("INSERT INTO t VALUES (1)");
        SqliteReadSnapshot snapshot(db);
        EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), i);  // each snapshot sees the writes before it
    }
    SqliteTransaction next(db);  // no transaction left open
    next.commit();
}

TEST(SqliteReadSnapshot, EndsCleanlyAfterAFailedStatementInside)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    try {
        SqliteReadSnapshot snapshot(db);
        db.exec("SELECT * FROM nowhere");
    } catch (const StoreError &) {
    }
    SqliteTransaction next(db);
    next.commit();
}

// A snapshot begun by the first statement: none at all when no statement
// runs (no BEGIN, no COMMIT), else one snapshot from that statement on.
TEST(SqliteReadSnapshot, AtFirstStatementBeginsOnlyWhenAStatementRuns)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    SqliteDatabase writer(dir.file("im.db"));
    {
        const SqliteReadSnapshot snapshot(db, SqliteReadSnapshot::AtFirstStatement{});
        EXPECT_FALSE(snapshot.begun());
        EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
    }
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
    {
        const SqliteReadSnapshot snapshot(db, SqliteReadSnapshot::AtFirstStatement{});
        writer.exec("INSERT INTO t VALUES (1)");
        EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 1);  // begun here: the write before it is seen
        EXPECT_TRUE(snapshot.begun());
        EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);
        writer.exec("INSERT INTO t VALUES (1)");
        EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 1);
    }
    EXPECT_EQ(query_int(db, "SELECT count(*) FROM t"), 2);
    SqliteTransaction next(db);  // no transaction left open
    next.commit();
}

// The statements keep finding their connection's snapshot state when the
// database object moves (it is on the heap).
TEST(SqliteReadSnapshot, AtFirstStatementAlsoForStatementsPreparedBeforeAMove)
{
    TempDir dir;
    SqliteDatabase first(dir.file("im.db"));
    first.exec("CREATE TABLE t (x INTEGER)");
    SqliteStatement count(first, "SELECT count(*) FROM t");
    SqliteDatabase db(std::move(first));
    for (int i = 0; i < 2; ++i) {
        const SqliteReadSnapshot snapshot(db, SqliteReadSnapshot::AtFirstStatement{});
        EXPECT_EQ(count.step(), StepResult::row);
        count.reset();
        EXPECT_TRUE(snapshot.begun());
        EXPECT_EQ(sqlite3_get_autocommit(db.handle()), 0);
    }
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
}

TEST(SqliteReadSnapshot, AtFirstStatementEndsCleanlyAfterAFailedStatement)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    db.exec("CREATE TABLE t (x INTEGER)");
    SqliteStatement select(db, "SELECT x FROM t");
    SqliteDatabase(dir.file("im.db")).exec("DROP TABLE t");
    {
        const SqliteReadSnapshot snapshot(db, SqliteReadSnapshot::AtFirstStatement{});
        EXPECT_THROW(select.step(), StoreError);
    }
    EXPECT_NE(sqlite3_get_autocommit(db.handle()), 0);
    SqliteTransaction next(db);
    next.commit();
}

}  // namespace

#include "im/store/schema.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <utility>
#include <vector>

#include "im/store/schema_versions.hpp"
#include "im/store/sqlite.hpp"
#include "im/store/store_error.hpp"
#include "store/store_test_support.hpp"

namespace {

using im::store::apply_schema_file;
using im::store::require_table_versions;
using im::store::SqliteDatabase;
using im::store::SqliteStatement;
using im::store::StepResult;
using im::store::StoreError;
using im::store::TableVersion;
using im::store::testing::create_script;
using im::store::testing::store_error_of;
using im::store::testing::TempDir;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::span<const TableVersion>> kAllModules{
    im::store::kParticipatingTables, im::store::kControllingTables, im::store::kDeferredTables,
    im::store::kHistoryTables};

using VersionRows = std::vector<std::pair<std::string, std::int64_t>>;

VersionRows version_rows(SqliteDatabase &db)
{
    SqliteStatement select(db, "SELECT table_name, table_version FROM version ORDER BY table_name");
    VersionRows rows;
    while (select.step() == StepResult::row) rows.emplace_back(select.column_text(0), select.column_int64(1));
    return rows;
}

VersionRows expected_rows(std::span<const TableVersion> tables)
{
    VersionRows rows;
    for (const auto &table : tables) rows.emplace_back(std::string(table.table), table.version);
    std::ranges::sort(rows);
    return rows;
}

std::string failure_of(SqliteDatabase &db, std::span<const TableVersion> tables)
{
    return store_error_of([&] { require_table_versions(db, tables); });
}

std::int64_t count(SqliteDatabase &db, std::string_view sql)
{
    SqliteStatement query(db, sql);
    EXPECT_EQ(query.step(), StepResult::row);
    return query.column_int64(0);
}

TEST(Schema, EachCreateScriptAppliesTwiceAndRecordsExactlyTheVersionsItsModuleRequires)
{
    for (const auto tables : kAllModules) {
        const auto module = tables.front().module;
        SCOPED_TRACE(module);
        TempDir dir;
        SqliteDatabase db(dir.file("im.db"));
        apply_schema_file(db, create_script(module));
        apply_schema_file(db, create_script(module));
        EXPECT_EQ(version_rows(db), expected_rows(tables));
        EXPECT_NO_THROW(require_table_versions(db, tables));
    }
}

TEST(Schema, AllScriptsShareOneDatabaseAndVersionTable)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    std::size_t tables_in_total = 0;
    for (const auto tables : kAllModules) {
        apply_schema_file(db, create_script(tables.front().module));
        tables_in_total += tables.size();
    }
    EXPECT_EQ(version_rows(db).size(), tables_in_total);
    for (const auto tables : kAllModules) EXPECT_NO_THROW(require_table_versions(db, tables));
}

TEST(Schema, RequireOnAnEmptyDatabaseNamesTheTablesAndTheScript)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    EXPECT_THAT(failure_of(db, im::store::kParticipatingTables),
                AllOf(HasSubstr("im_registration is missing"), HasSubstr("im_access_rule is missing"),
                      HasSubstr("run sql/im_participating-create.sql")));
}

TEST(Schema, RequireOnAnotherVersionNamesFoundAndExpectedVersionsAndTheScript)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    apply_schema_file(db, create_script("im_controlling"));
    db.exec("UPDATE version SET table_version = 2 WHERE table_name = 'im_group_member'");
    const auto message = failure_of(db, im::store::kControllingTables);
    EXPECT_THAT(message, AllOf(HasSubstr("table im_group_member has version 2, expected version 1"),
                               HasSubstr("run sql/im_controlling-create.sql")));
    EXPECT_THAT(message, Not(HasSubstr("table im_group ")));
}

TEST(Schema, RequireNoticesATableDroppedBehindItsVersionRow)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    apply_schema_file(db, create_script("im_deferred"));
    db.exec("DROP TABLE im_deferred_message");
    EXPECT_THAT(failure_of(db, im::store::kDeferredTables),
                AllOf(HasSubstr("im_deferred_message is missing"), HasSubstr("sql/im_deferred-create.sql")));
}

TEST(Schema, RequireNamesAMissingVersionRow)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    apply_schema_file(db, create_script("im_history"));
    db.exec("DELETE FROM version WHERE table_name = 'im_history_message'");
    EXPECT_THAT(failure_of(db, im::store::kHistoryTables),
                AllOf(HasSubstr("im_history_message has no row in table version"),
                      HasSubstr("sql/im_history-create.sql")));
}

TEST(Schema, ApplyRefusesAnUnreadableFile)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    const auto missing = dir.file("nope-create.sql");
    EXPECT_THAT(store_error_of([&] { apply_schema_file(db, missing); }),
                AllOf(HasSubstr("cannot read schema file"), HasSubstr(missing.string())));
}

TEST(Schema, ApplyOfABrokenScriptLeavesNothingBehind)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    const auto script = dir.file("broken-create.sql");
    std::ofstream(script) << "CREATE TABLE half_done (x INTEGER);\nCREATE TABLE broken (;\n";
    EXPECT_THAT(store_error_of([&] { apply_schema_file(db, script); }),
                AllOf(HasSubstr(script.string()), HasSubstr("syntax error"), HasSubstr("CREATE TABLE broken (;")));
    EXPECT_EQ(count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'"), 0);
}

TEST(Schema, ForeignKeysCascadeAndChecksAreEnforced)
{
    TempDir dir;
    SqliteDatabase db(dir.file("im.db"));
    for (const auto tables : kAllModules) apply_schema_file(db, create_script(tables.front().module));

    db.exec("INSERT INTO im_group (uri, created_at) VALUES ('sip:team@example.com', 1);"
            "INSERT INTO im_group_member (group_uri, member_uri) VALUES ('sip:team@example.com', 'sip:a@example.com');"
            "DELETE FROM im_group;");
    EXPECT_EQ(count(db, "SELECT count(*) FROM im_group_member"), 0);

    db.exec("INSERT INTO im_history_conversation (id, owner, conversation_id, kind, peer, started_at)"
            " VALUES (1, 'sip:a@example.com', 'c1', 'session', 'sip:b@example.com', 1);"
            "INSERT INTO im_history_message (conversation, sender, content_type, body, received_at)"
            " VALUES (1, 'sip:b@example.com', 'text/plain', x'6869', 2);"
            "DELETE FROM im_history_conversation;");
    EXPECT_EQ(count(db, "SELECT count(*) FROM im_history_message"), 0);

    EXPECT_THAT(store_error_of([&] {
                    db.exec("INSERT INTO im_group_member (group_uri, member_uri) VALUES ('sip:none@example.com', 'x')");
                }),
                HasSubstr("FOREIGN KEY constraint failed"));
    EXPECT_THAT(store_error_of([&] {
                    db.exec("INSERT INTO im_access_rule (owner, peer, kind, action) VALUES ('a', 'b', 'chat', 'allow')");
                }),
                HasSubstr("CHECK constraint failed"));
}

}  // namespace

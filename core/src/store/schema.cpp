#include "im/store/schema.hpp"

#include <fstream>
#include <iterator>

#include "im/store/sqlite.hpp"
#include "im/store/store_error.hpp"

namespace im::store {

namespace {

bool table_exists(SqliteDatabase &db, std::string_view table)
{
    SqliteStatement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    query.bind_text(1, table);
    return query.step() == StepResult::row;
}

// The problem with one table, or "" when it is as expected.
std::string check_table(SqliteDatabase &db, SqliteStatement &version_of, const TableVersion &expected)
{
    const std::string expected_text = "expected version " + std::to_string(expected.version);
    const ResetOnExit reset(version_of);
    version_of.bind_text(1, expected.table);
    if (version_of.step() != StepResult::row)
        return "table " + std::string(expected.table) + " has no row in table version (" + expected_text + ")";
    const auto found = version_of.column_int64(0);
    if (found != expected.version)
        return "table " + std::string(expected.table) + " has version " + std::to_string(found) + ", " +
               expected_text;
    if (!table_exists(db, expected.table))
        return "table " + std::string(expected.table) + " is missing (" + expected_text + ")";
    return {};
}

}  // namespace

std::string create_script_name(std::string_view module) { return "sql/" + std::string(module) + "-create.sql"; }

void require_table_versions(SqliteDatabase &db, std::span<const TableVersion> tables)
{
    if (tables.empty()) return;
    std::string problems;
    std::string scripts;
    auto note = [&](const std::string &problem, std::string_view module) {
        problems.append(problems.empty() ? "" : "; ").append(problem);
        const std::string script = create_script_name(module);
        if (scripts.find(script) == std::string::npos) scripts.append(scripts.empty() ? "" : ", ").append(script);
    };

    if (!table_exists(db, "version")) {
        for (const auto &table : tables)
            note("table " + std::string(table.table) + " is missing (no table version)", table.module);
    } else {
        SqliteStatement version_of(db, "SELECT table_version FROM version WHERE table_name = ?1");
        for (const auto &table : tables) {
            const std::string problem = check_table(db, version_of, table);
            if (!problem.empty()) note(problem, table.module);
        }
    }
    if (!problems.empty())
        throw StoreError("database '" + db.path().string() + "': " + problems + "; run " + scripts);
}

void apply_schema_file(SqliteDatabase &db, const std::filesystem::path &script)
{
    std::ifstream file(script, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
    if (!file.is_open() || file.bad()) throw StoreError("cannot read schema file '" + script.string() + "'");
    try {
        SqliteTransaction transaction(db);
        db.exec(text);
        transaction.commit();
    } catch (const StoreError &error) {
        throw StoreError("schema file '" + script.string() + "': " + error.what());
    }
}

}  // namespace im::store

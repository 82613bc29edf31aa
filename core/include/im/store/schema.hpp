#pragma once
// Schema checks in the Kamailio way: each create script records its tables in
// the `version` table, and a module refuses to start on a version it does not
// know, pointing the operator at the script to run.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace im::store {

class SqliteDatabase;

struct TableVersion {
    std::string_view table;
    int version;
    std::string_view module;  // whose sql/<module>-create.sql creates the table
};

// "sql/<module>-create.sql", as named in error messages.
std::string create_script_name(std::string_view module);

// Throws StoreError listing every table that is missing or has another
// version, with the found and expected versions and the script to run.
void require_table_versions(SqliteDatabase &db, std::span<const TableVersion> tables);

// Runs a create script in one transaction, so a failure leaves nothing half
// made. The script itself must not contain BEGIN/COMMIT.
void apply_schema_file(SqliteDatabase &db, const std::filesystem::path &script);

}  // namespace im::store

#pragma once
// Opening a module's database from its db_url parameter.
#include <span>
#include <string_view>

#include "im/store/schema.hpp"
#include "im/store/sqlite.hpp"

namespace im::service {

// Opens the SQLite database named by db_url and checks that the module's
// tables exist in the expected versions; throws store::StoreError otherwise.
store::SqliteDatabase open_module_database(std::string_view db_url, std::span<const store::TableVersion> tables);

}  // namespace im::service

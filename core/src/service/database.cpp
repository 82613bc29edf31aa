#include "im/service/database.hpp"

#include "im/store/db_url.hpp"
#include "im/store/store_error.hpp"

namespace im::service {

store::SqliteDatabase open_module_database(std::string_view db_url, std::span<const store::TableVersion> tables)
{
    const store::DbUrl url = store::parse_db_url(db_url);
    if (url.backend != "sqlite")
        throw store::StoreError("db_url backend '" + url.backend + "' is not built in this release; use sqlite:///path");
    store::SqliteDatabase db(url.path);
    store::require_table_versions(db, tables);
    return db;
}

}  // namespace im::service

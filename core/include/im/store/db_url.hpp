#pragma once
// The `db_url` module parameter, Kamailio style.
#include <string>
#include <string_view>

namespace im::store {

struct DbUrl {
    std::string backend;  // "sqlite" or "postgres"
    // sqlite: the file path. postgres: the whole URL, which libpq takes as is.
    std::string path;
};

// Accepts "sqlite:///abs/path.db", "sqlite://relative/path.db", a bare file
// path ("/var/lib/im/im.db", "im.db") and "postgres://..." / "postgresql://...".
// Anything else throws StoreError saying what is accepted.
DbUrl parse_db_url(std::string_view url);

}  // namespace im::store

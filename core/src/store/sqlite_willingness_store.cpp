#include "im/store/sqlite_willingness_store.hpp"

namespace im::store {

SqliteWillingnessStore::SqliteWillingnessStore(SqliteDatabase &db, RowCacheConfig cache)
    : set_(db,
           "INSERT INTO im_willingness (aor, willing, updated_at) VALUES (?1, ?2, ?3) "
           "ON CONFLICT (aor) DO UPDATE SET willing = excluded.willing, updated_at = excluded.updated_at"),
      forget_(db, "DELETE FROM im_willingness WHERE aor = ?1"),
      find_(db, "SELECT willing FROM im_willingness WHERE aor = ?1"),
      prefetch_(db, "SELECT aor, willing FROM im_willingness WHERE aor IN (SELECT value FROM json_each(?1))"),
      rows_(cache)
{
}

void SqliteWillingnessStore::set(const std::string &aor, bool willing, std::int64_t now)
{
    const RowCacheWrite write(rows_);
    const ResetOnExit reset(set_);
    set_.bind_text(1, aor).bind_int64(2, willing ? 1 : 0).bind_int64(3, now);
    set_.step();
}

void SqliteWillingnessStore::forget(const std::string &aor)
{
    const RowCacheWrite write(rows_);
    const ResetOnExit reset(forget_);
    forget_.bind_text(1, aor);
    forget_.step();
}

bool SqliteWillingnessStore::willing(const std::string &aor)
{
    rows_.revalidate();
    if (const bool *cached = rows_.find(aor)) return *cached;
    const ResetOnExit reset(find_);
    find_.bind_text(1, aor);
    const bool willing = find_.step() != StepResult::row || find_.column_int64(0) != 0;
    if (rows_.persistent()) rows_.put(aor, willing);
    return willing;
}

void SqliteWillingnessStore::read_missing(BatchRows &rows)
{
    if (rows.missing().empty()) return;
    {
        const ResetOnExit reset(prefetch_);
        prefetch_.bind_text(1, json_string_array(rows.missing()));
        while (prefetch_.step() == StepResult::row) rows_.keep(prefetch_.column_text(0), prefetch_.column_int64(1) != 0);
    }
    rows_.complete(rows, true);  // no row: willing
}

void SqliteWillingnessStore::prefetch(const std::vector<std::string> &aors)
{
    BatchRows rows;
    if (resolve(aors, rows)) read_missing(rows);
}

}  // namespace im::store

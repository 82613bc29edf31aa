#include "im/store/sqlite_settings_store.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace im::store {

namespace {

// The five settings go to parameters first..first+4; an absent one is NULL.
void bind_settings(SqliteStatement &statement, int first, const ServiceSettings &settings)
{
    int index = first;
    for (const std::optional<bool> &value : {settings.isb_active, settings.ipab_active, settings.offline_delivery,
                                             settings.vis_status, settings.hist_active}) {
        if (value) statement.bind_int64(index, *value ? 1 : 0);
        else statement.bind_null(index);
        ++index;
    }
}

std::optional<bool> optional_bool(const SqliteStatement &statement, int column)
{
    if (statement.column_is_null(column)) return std::nullopt;
    return statement.column_int64(column) != 0;
}

// A row of aor, etag, expires_at, updated_at, document and the five settings.
PublishedSettings read_published(const SqliteStatement &row)
{
    return PublishedSettings{
        .aor = row.column_text(0),
        .etag = row.column_text(1),
        .expires_at = row.column_int64(2),
        .updated_at = row.column_int64(3),
        .document = row.column_text(4),
        .settings = {optional_bool(row, 5), optional_bool(row, 6), optional_bool(row, 7), optional_bool(row, 8),
                     optional_bool(row, 9)},
    };
}

}  // namespace

SqliteSettingsStore::SqliteSettingsStore(SqliteDatabase &db, RandomBits random_bits, RowCacheConfig cache)
    : db_(db),
      random_bits_(std::move(random_bits)),
      publish_initial_(db,
                       "INSERT INTO im_service_settings (aor, etag, expires_at, updated_at, document, isb_active, "
                       "ipab_active, offline_delivery, vis_status, hist_active) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                       "ON CONFLICT (aor) DO UPDATE SET etag = excluded.etag, expires_at = excluded.expires_at, "
                       "updated_at = excluded.updated_at, document = excluded.document, "
                       "isb_active = excluded.isb_active, ipab_active = excluded.ipab_active, "
                       "offline_delivery = excluded.offline_delivery, vis_status = excluded.vis_status, "
                       "hist_active = excluded.hist_active"),
      refresh_(db,
               "UPDATE im_service_settings SET expires_at = ?3, updated_at = ?4, etag = ?5 "
               "WHERE aor = ?1 AND etag = ?2 AND expires_at > ?4"),
      // The etag condition makes this a compare-and-swap: of two processes
      // modifying with the same tag, only the first succeeds.
      modify_(db,
              "UPDATE im_service_settings SET etag = ?3, expires_at = ?4, updated_at = ?5, document = ?6, "
              "isb_active = ?7, ipab_active = ?8, offline_delivery = ?9, vis_status = ?10, hist_active = ?11 "
              "WHERE aor = ?1 AND etag = ?2 AND expires_at > ?5"),
      remove_(db, "DELETE FROM im_service_settings WHERE aor = ?1 AND etag = ?2"),
      // Reads select the columns in the order read_published expects.
      find_active_(db,
                   "SELECT aor, etag, expires_at, updated_at, document, isb_active, ipab_active, offline_delivery, "
                   "vis_status, hist_active FROM im_service_settings WHERE aor = ?1 AND expires_at > ?2"),
      purge_expired_(db, "DELETE FROM im_service_settings WHERE expires_at <= ?1"),
      list_active_(db,
                   "SELECT aor, etag, expires_at, updated_at, document, isb_active, ipab_active, offline_delivery, "
                   "vis_status, hist_active FROM im_service_settings WHERE expires_at > ?1 ORDER BY aor LIMIT ?2"),
      prefetch_(db,
                "SELECT aor, etag, expires_at, updated_at, document, isb_active, ipab_active, offline_delivery, "
                "vis_status, hist_active FROM im_service_settings WHERE aor IN (SELECT value FROM json_each(?1))"),
      rows_(cache)
{
}

std::string SqliteSettingsStore::publish_initial(const std::string &aor, const std::string &document,
                                                 const ServiceSettings &settings, std::int64_t expires_at,
                                                 std::int64_t now)
{
    const RowCacheWrite write(rows_);
    std::string etag = make_entity_tag(random_bits_());
    const ResetOnExit reset(publish_initial_);
    publish_initial_.bind_text(1, aor).bind_text(2, etag).bind_int64(3, expires_at).bind_int64(4, now);
    publish_initial_.bind_text(5, document);
    bind_settings(publish_initial_, 6, settings);
    publish_initial_.step();
    return etag;
}

std::optional<std::string> SqliteSettingsStore::refresh(const std::string &aor, const std::string &etag,
                                                        std::int64_t expires_at, std::int64_t now)
{
    const RowCacheWrite write(rows_);
    const ResetOnExit reset(refresh_);
    std::string new_etag = make_entity_tag(random_bits_());
    refresh_.bind_text(1, aor).bind_text(2, etag).bind_int64(3, expires_at).bind_int64(4, now).bind_text(5, new_etag);
    refresh_.step();
    if (db_.changes() == 0) return std::nullopt;
    return new_etag;
}

std::optional<std::string> SqliteSettingsStore::modify(const std::string &aor, const std::string &etag,
                                                       const std::string &document, const ServiceSettings &settings,
                                                       std::int64_t expires_at, std::int64_t now)
{
    const RowCacheWrite write(rows_);
    std::string new_etag = make_entity_tag(random_bits_());
    const ResetOnExit reset(modify_);
    modify_.bind_text(1, aor).bind_text(2, etag).bind_text(3, new_etag).bind_int64(4, expires_at);
    modify_.bind_int64(5, now).bind_text(6, document);
    bind_settings(modify_, 7, settings);
    modify_.step();
    if (db_.changes() == 0) return std::nullopt;
    return new_etag;
}

bool SqliteSettingsStore::remove(const std::string &aor, const std::string &etag)
{
    const RowCacheWrite write(rows_);
    const ResetOnExit reset(remove_);
    remove_.bind_text(1, aor).bind_text(2, etag);
    remove_.step();
    return db_.changes() > 0;
}

void SqliteSettingsStore::read_missing(BatchRows &rows)
{
    if (rows.missing().empty()) return;
    {
        const ResetOnExit reset(prefetch_);
        prefetch_.bind_text(1, json_string_array(rows.missing()));
        while (prefetch_.step() == StepResult::row) {
            PublishedSettings row = read_published(prefetch_);
            std::string aor = row.aor;
            rows_.keep(aor, std::move(row));
        }
    }
    rows_.complete(rows, std::nullopt);  // no publication
}

void SqliteSettingsStore::prefetch(const std::vector<std::string> &aors)
{
    BatchRows rows;
    if (resolve(aors, rows)) read_missing(rows);
}

const std::optional<PublishedSettings> *SqliteSettingsStore::cached_row(const std::string &aor)
{
    rows_.revalidate();
    if (const std::optional<PublishedSettings> *row = rows_.find(aor)) return row;
    if (!rows_.persistent()) return nullptr;
    prefetch({aor});
    return rows_.find(aor);
}

std::optional<ServiceSettings> SqliteSettingsStore::active_settings(const std::string &aor, std::int64_t now)
{
    if (const std::optional<PublishedSettings> *row = cached_row(aor)) return active_settings_of(*row, now);
    return SettingsStore::active_settings(aor, now);
}

std::optional<PublishedSettings> SqliteSettingsStore::find_active(const std::string &aor, std::int64_t now)
{
    const std::optional<PublishedSettings> *row = cached_row(aor);
    if (row != nullptr) {
        if (*row && (*row)->expires_at > now) return *row;
        return std::nullopt;
    }
    const ResetOnExit reset(find_active_);
    find_active_.bind_text(1, aor).bind_int64(2, now);
    if (find_active_.step() != StepResult::row) return std::nullopt;
    return read_published(find_active_);
}

std::int64_t SqliteSettingsStore::purge_expired(std::int64_t now)
{
    const ResetOnExit reset(purge_expired_);
    purge_expired_.bind_int64(1, now);
    purge_expired_.step();
    const std::int64_t purged = db_.changes();
    // Cached rows know their expiry: only a purge that deleted some is news.
    if (purged > 0) rows_.written();
    return purged;
}

std::vector<PublishedSettings> SqliteSettingsStore::list_active(std::int64_t now, std::size_t limit)
{
    constexpr auto kMaxLimit = static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
    const ResetOnExit reset(list_active_);
    list_active_.bind_int64(1, now).bind_int64(2, static_cast<std::int64_t>(std::min(limit, kMaxLimit)));
    std::vector<PublishedSettings> active;
    while (list_active_.step() == StepResult::row) active.push_back(read_published(list_active_));
    return active;
}

}  // namespace im::store

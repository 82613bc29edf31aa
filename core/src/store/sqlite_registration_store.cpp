#include "im/store/sqlite_registration_store.hpp"

namespace im::store {

SqliteRegistrationStore::SqliteRegistrationStore(SqliteDatabase &db)
    : db_(db),
      upsert_(db,
              "INSERT INTO im_registration (aor, contact, expires_at, updated_at) VALUES (?1, ?2, ?3, ?4) "
              "ON CONFLICT (aor) DO UPDATE SET contact = excluded.contact, expires_at = excluded.expires_at, "
              "updated_at = excluded.updated_at"),
      remove_(db, "DELETE FROM im_registration WHERE aor = ?1"),
      known_(db, "SELECT 1 FROM im_registration WHERE aor = ?1"),
      find_active_(db,
                   "SELECT aor, contact, expires_at, updated_at FROM im_registration "
                   "WHERE aor = ?1 AND expires_at > ?2"),
      // One statement, so the AORs returned are exactly the rows deleted even
      // while other processes write.
      purge_expired_(db, "DELETE FROM im_registration WHERE expires_at <= ?1 RETURNING aor"),
      count_active_(db, "SELECT count(*) FROM im_registration WHERE expires_at > ?1")
{
}

void SqliteRegistrationStore::upsert(const Registration &reg)
{
    const ResetOnExit reset(upsert_);
    upsert_.bind_text(1, reg.aor).bind_text(2, reg.contact).bind_int64(3, reg.expires_at).bind_int64(4, reg.updated_at);
    upsert_.step();
}

bool SqliteRegistrationStore::known(const std::string &aor)
{
    const ResetOnExit reset(known_);
    known_.bind_text(1, aor);
    return known_.step() == StepResult::row;
}

bool SqliteRegistrationStore::remove(const std::string &aor)
{
    const ResetOnExit reset(remove_);
    remove_.bind_text(1, aor);
    remove_.step();
    return db_.changes() > 0;
}

std::optional<Registration> SqliteRegistrationStore::find_active(const std::string &aor, std::int64_t now)
{
    const ResetOnExit reset(find_active_);
    find_active_.bind_text(1, aor).bind_int64(2, now);
    if (find_active_.step() != StepResult::row) return std::nullopt;
    return Registration{find_active_.column_text(0), find_active_.column_text(1), find_active_.column_int64(2),
                        find_active_.column_int64(3)};
}

std::vector<std::string> SqliteRegistrationStore::purge_expired(std::int64_t now)
{
    const ResetOnExit reset(purge_expired_);
    purge_expired_.bind_int64(1, now);
    std::vector<std::string> removed;
    while (purge_expired_.step() == StepResult::row) removed.push_back(purge_expired_.column_text(0));
    return removed;
}

std::int64_t SqliteRegistrationStore::count_active(std::int64_t now)
{
    const ResetOnExit reset(count_active_);
    count_active_.bind_int64(1, now);
    count_active_.step();
    return count_active_.column_int64(0);
}

}  // namespace im::store

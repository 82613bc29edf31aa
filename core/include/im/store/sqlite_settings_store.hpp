#pragma once
// SettingsStore over table im_service_settings (sql/im_participating-create.sql).
#include "im/store/row_cache.hpp"
#include "im/store/settings_store.hpp"
#include "im/store/sqlite.hpp"

#include <optional>

namespace im::store {

// Statements are prepared once here; `db` must outlive the store. Each
// operation is one statement, so an entity tag is checked and replaced
// atomically even while other worker processes publish for the same user.
// Reads are answered from a RowCache (row_cache.hpp) where it has the row.
class SqliteSettingsStore final : public SettingsStore {
public:
    explicit SqliteSettingsStore(SqliteDatabase &db, RandomBits random_bits = system_random_bits(),
                                 RowCacheConfig cache = {});

    std::string publish_initial(const std::string &aor, const std::string &document, const ServiceSettings &settings,
                                std::int64_t expires_at, std::int64_t now) override;
    std::optional<std::string> refresh(const std::string &aor, const std::string &etag, std::int64_t expires_at,
                 std::int64_t now) override;
    std::optional<std::string> modify(const std::string &aor, const std::string &etag, const std::string &document,
                                      const ServiceSettings &settings, std::int64_t expires_at,
                                      std::int64_t now) override;
    bool remove(const std::string &aor, const std::string &etag) override;
    std::optional<PublishedSettings> find_active(const std::string &aor, std::int64_t now) override;
    std::optional<ServiceSettings> active_settings(const std::string &aor, std::int64_t now) override;
    std::int64_t purge_expired(std::int64_t now) override;
    std::vector<PublishedSettings> list_active(std::int64_t now, std::size_t limit) override;

    // A batch of reads in two steps, so that the caller reads the rows every
    // store misses under one SqliteReadSnapshot, opened only when some store
    // misses rows (SqliteUserRows): resolve() revalidates the cache and finds
    // each user's row in it, true when some must be read; read_missing()
    // reads those in one statement. Then rows.row(i) is aors[i]'s row
    // until forget_prefetched(), as long as nothing else reads or writes
    // through this store meanwhile (that may drop the cached rows).
    using BatchRows = RowBatch<std::optional<PublishedSettings>>;  // the publication, expired or not
    bool resolve(const std::vector<std::string> &aors, BatchRows &rows) { return rows_.resolve(aors, rows); }
    void read_missing(BatchRows &rows);

    // Both steps: reads the rows of every aor not cached yet in one
    // statement; until forget_prefetched() (or longer, with a shared
    // generation), find_active answers for these users from memory.
    void prefetch(const std::vector<std::string> &aors);
    void forget_prefetched() noexcept { rows_.end_batch(); }

private:
    // The row of aor from the cache, read into it first when the cache is
    // persistent; nullptr when not cached (read it with find_active_).
    const std::optional<PublishedSettings> *cached_row(const std::string &aor);

    SqliteDatabase &db_;
    RandomBits random_bits_;
    SqliteStatement publish_initial_;
    SqliteStatement refresh_;
    SqliteStatement modify_;
    SqliteStatement remove_;
    SqliteStatement find_active_;
    SqliteStatement purge_expired_;
    SqliteStatement list_active_;
    SqliteStatement prefetch_;
    RowCache<std::optional<PublishedSettings>> rows_;  // absent rows too
};

}  // namespace im::store

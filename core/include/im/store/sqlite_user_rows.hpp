#pragma once
// The rows of the four user tables (settings, policies, access rules,
// willingness) for a batch of users: a group MESSAGE's recipients, whose
// terminating checks then read them with no lookup of their own.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "im/store/sqlite.hpp"
#include "im/store/sqlite_access_rule_store.hpp"
#include "im/store/sqlite_policy_store.hpp"
#include "im/store/sqlite_settings_store.hpp"
#include "im/store/sqlite_willingness_store.hpp"
#include "im/store/user_rows.hpp"

namespace im::store {

struct SqliteUserTables {
    SqliteSettingsStore &settings;
    SqlitePolicyStore &policies;
    SqliteAccessRuleStore &access_rules;
    SqliteWillingnessStore &willingness;
};

// One process's reader of batches over the stores of `tables`, all on `db`;
// it keeps each store's RowBatch from one batch to the next (their capacity).
class SqliteUserRows {
public:
    SqliteUserRows(SqliteDatabase &db, SqliteUserTables tables) : db_(db), tables_(tables) {}
    SqliteUserRows(const SqliteUserRows &) = delete;
    SqliteUserRows &operator=(const SqliteUserRows &) = delete;

    class Batch;

private:
    SqliteDatabase &db_;
    SqliteUserTables tables_;
    SqliteSettingsStore::BatchRows settings_;
    SqlitePolicyStore::BatchRows policies_;
    SqliteAccessRuleStore::BatchRows access_rules_;
    SqliteWillingnessStore::BatchRows willingness_;
    bool in_batch_ = false;
};

// One batch, from construction to destruction. Each store's cache is
// revalidated and looked up once per user first, so every generation is
// read before the database (row_cache.hpp); then each store reads the rows
// it misses, in one statement, inside one SqliteReadSnapshot that begins
// at the first statement on the connection and lasts until the batch ends.
// So the steady state (every row cached, and no other read during the
// batch) runs no SQL at all, and all the batch's database reads share one
// snapshot: the stores' and any other on the connection meanwhile (the
// registrations the shared cache does not hold, a recipient who is not
// registered).
//
// rows(i) refers into the stores' caches: until the batch ends, nothing may
// read or write through the four stores (a read revalidates or bounds its
// cache, which may drop every row). One batch at a time per reader.
class SqliteUserRows::Batch {
public:
    // Throws what the reads throw (StoreError), having ended the batch.
    Batch(SqliteUserRows &reader, const std::vector<std::string> &users);
    ~Batch() { end(); }
    Batch(const Batch &) = delete;
    Batch &operator=(const Batch &) = delete;

    // The rows of users[index].
    UserRows rows(std::size_t index) const;
    // Whether the batch has read the database so far (and so began a snapshot).
    bool read_database() const noexcept { return snapshot_ && snapshot_->begun(); }

private:
    void end() noexcept;

    SqliteUserRows &reader_;
    std::optional<SqliteReadSnapshot> snapshot_;  // after every cache's revalidation
};

}  // namespace im::store

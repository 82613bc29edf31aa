#include "im/store/sqlite_user_rows.hpp"

#include <stdexcept>

namespace im::store {

SqliteUserRows::Batch::Batch(SqliteUserRows &reader, const std::vector<std::string> &users) : reader_(reader)
{
    if (reader_.in_batch_) throw std::logic_error("SqliteUserRows: a batch is already running");
    reader_.in_batch_ = true;
    SqliteUserTables &tables = reader_.tables_;
    try {
        // Every cache first (its generation is read before the database),
        // then one snapshot for whatever the batch reads.
        tables.settings.resolve(users, reader_.settings_);
        tables.policies.resolve(users, reader_.policies_);
        tables.access_rules.resolve(users, reader_.access_rules_);
        tables.willingness.resolve(users, reader_.willingness_);
        snapshot_.emplace(reader_.db_, SqliteReadSnapshot::AtFirstStatement{});
        tables.settings.read_missing(reader_.settings_);  // each reads nothing when it misses nothing
        tables.policies.read_missing(reader_.policies_);
        tables.access_rules.read_missing(reader_.access_rules_);
        tables.willingness.read_missing(reader_.willingness_);
    } catch (...) {
        end();
        throw;
    }
}

UserRows SqliteUserRows::Batch::rows(std::size_t index) const
{
    return {reader_.settings_.row(index), reader_.policies_.row(index), reader_.access_rules_.row(index),
            reader_.willingness_.row(index)};
}

void SqliteUserRows::Batch::end() noexcept
{
    if (!reader_.in_batch_) return;
    reader_.in_batch_ = false;
    SqliteUserTables &tables = reader_.tables_;
    tables.settings.forget_prefetched();
    tables.policies.forget_prefetched();
    tables.access_rules.forget_prefetched();
    tables.willingness.forget_prefetched();
    snapshot_.reset();
}

}  // namespace im::store

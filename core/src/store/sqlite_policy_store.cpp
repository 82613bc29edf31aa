#include "im/store/sqlite_policy_store.hpp"

#include <unordered_map>

#include "im/sip/text.hpp"

namespace im::store {

namespace {

std::string join_content_types(const std::vector<std::string> &ranges)
{
    std::string joined;
    for (const std::string &range : ranges) {
        if (!joined.empty()) joined += ',';
        joined += range;
    }
    return joined;
}

// Tolerates blanks and empty items, which a row written by hand may hold.
std::vector<std::string> split_content_types(std::string_view joined)
{
    std::vector<std::string> ranges;
    while (!joined.empty()) {
        const auto comma = joined.find(',');
        const std::string_view item = sip::trim(joined.substr(0, comma));
        if (!item.empty()) ranges.emplace_back(item);
        joined = comma == std::string_view::npos ? std::string_view{} : joined.substr(comma + 1);
    }
    return ranges;
}

// A row of im_allowed, max_size, content_types, anonymity_allowed,
// group_advertisement_allowed from `first` on.
Policy read_policy(const SqliteStatement &row, int first)
{
    Policy policy;
    policy.im_allowed = row.column_int64(first) != 0;
    if (!row.column_is_null(first + 1)) policy.max_size = row.column_int64(first + 1);
    if (!row.column_is_null(first + 2)) policy.content_types = split_content_types(row.column_text(first + 2));
    policy.anonymity_allowed = row.column_int64(first + 3) != 0;
    policy.group_advertisement_allowed = row.column_int64(first + 4) != 0;
    return policy;
}

}  // namespace

SqlitePolicyStore::SqlitePolicyStore(SqliteDatabase &db, RowCacheConfig cache)
    : db_(db),
      set_(db,
           "INSERT INTO im_policy (scope, im_allowed, max_size, content_types, anonymity_allowed, "
           "group_advertisement_allowed) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
           "ON CONFLICT (scope) DO UPDATE SET im_allowed = excluded.im_allowed, max_size = excluded.max_size, "
           "content_types = excluded.content_types, anonymity_allowed = excluded.anonymity_allowed, "
           "group_advertisement_allowed = excluded.group_advertisement_allowed"),
      remove_(db, "DELETE FROM im_policy WHERE scope = ?1"),
      get_(db,
           "SELECT im_allowed, max_size, content_types, anonymity_allowed, group_advertisement_allowed FROM im_policy "
           "WHERE scope = ?1"),
      list_(db,
            "SELECT scope, im_allowed, max_size, content_types, anonymity_allowed, group_advertisement_allowed "
            "FROM im_policy ORDER BY scope"),
      // Both rows in one read, so they come from the same snapshot.
      effective_(db,
                 "SELECT scope, im_allowed, max_size, content_types, anonymity_allowed, group_advertisement_allowed "
                 "FROM im_policy WHERE scope IN (?1, ?2)"),
      prefetch_(db,
                "SELECT scope, im_allowed, max_size, content_types, anonymity_allowed, group_advertisement_allowed "
                "FROM im_policy WHERE scope = ?2 OR scope IN (SELECT value FROM json_each(?1))"),
      rows_(cache)
{
}

void SqlitePolicyStore::set(const std::string &scope, const Policy &policy)
{
    const RowCacheWrite write(rows_);
    require_storable(policy);
    const ResetOnExit reset(set_);
    set_.bind_text(1, scope)
        .bind_int64(2, policy.im_allowed ? 1 : 0)
        .bind_int64(5, policy.anonymity_allowed ? 1 : 0)
        .bind_int64(6, policy.group_advertisement_allowed ? 1 : 0);
    if (policy.max_size) set_.bind_int64(3, *policy.max_size);
    else set_.bind_null(3);
    if (policy.content_types) set_.bind_text(4, join_content_types(*policy.content_types));
    else set_.bind_null(4);
    set_.step();
}

bool SqlitePolicyStore::remove(const std::string &scope)
{
    const RowCacheWrite write(rows_);
    const ResetOnExit reset(remove_);
    remove_.bind_text(1, scope);
    remove_.step();
    return db_.changes() > 0;
}

std::optional<Policy> SqlitePolicyStore::get(const std::string &scope)
{
    const ResetOnExit reset(get_);
    get_.bind_text(1, scope);
    if (get_.step() != StepResult::row) return std::nullopt;
    return read_policy(get_, 0);
}

std::vector<ScopedPolicy> SqlitePolicyStore::list()
{
    const ResetOnExit reset(list_);
    std::vector<ScopedPolicy> rows;
    while (list_.step() == StepResult::row) rows.push_back({list_.column_text(0), read_policy(list_, 1)});
    return rows;
}

void SqlitePolicyStore::read_missing(BatchRows &rows)
{
    if (rows.missing().empty()) return;
    std::optional<Policy> global_row;
    std::unordered_map<std::string, Policy> user_rows;
    {
        const ResetOnExit reset(prefetch_);
        prefetch_.bind_text(1, json_string_array(rows.missing())).bind_text(2, kGlobalPolicyScope);
        while (prefetch_.step() == StepResult::row) {
            std::string scope = prefetch_.column_text(0);
            if (scope == kGlobalPolicyScope) global_row = read_policy(prefetch_, 1);
            else user_rows.emplace(std::move(scope), read_policy(prefetch_, 1));
        }
    }
    for (const auto &[aor, user_row] : user_rows) rows_.keep(aor, combine_policies(global_row, user_row));
    rows_.complete(rows, combine_policies(global_row, std::nullopt));  // no user row
}

void SqlitePolicyStore::prefetch(const std::vector<std::string> &aors)
{
    BatchRows rows;
    if (resolve(aors, rows)) read_missing(rows);
}

EffectivePolicy SqlitePolicyStore::effective(const std::string &aor)
{
    rows_.revalidate();
    if (const EffectivePolicy *cached = rows_.find(aor)) return *cached;
    const ResetOnExit reset(effective_);
    effective_.bind_text(1, aor).bind_text(2, kGlobalPolicyScope);
    std::optional<Policy> global_row;
    std::optional<Policy> user_row;
    while (effective_.step() == StepResult::row) {
        const bool is_global = effective_.column_text(0) == kGlobalPolicyScope;
        (is_global ? global_row : user_row) = read_policy(effective_, 1);
    }
    EffectivePolicy policy = combine_policies(global_row, user_row);
    if (rows_.persistent()) rows_.put(aor, policy);
    return policy;
}

}  // namespace im::store

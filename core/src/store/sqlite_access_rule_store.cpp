#include "im/store/sqlite_access_rule_store.hpp"

#include <unordered_map>

#include "im/store/store_error.hpp"

namespace im::store {

namespace {

// The table's CHECK constraints keep other values out; a failure here means
// the schema and this code disagree.
AccessKind kind_column(const SqliteStatement &row, int column)
{
    const std::string text = row.column_text(column);
    if (const auto kind = parse_access_kind(text)) return *kind;
    throw StoreError("im_access_rule: unknown kind '" + text + "'");
}

AccessAction action_column(const SqliteStatement &row, int column)
{
    const std::string text = row.column_text(column);
    if (const auto action = parse_access_action(text)) return *action;
    throw StoreError("im_access_rule: unknown action '" + text + "'");
}

}  // namespace

SqliteAccessRuleStore::SqliteAccessRuleStore(SqliteDatabase &db, RowCacheConfig cache)
    : db_(db),
      set_(db,
           "INSERT INTO im_access_rule (owner, peer, kind, action) VALUES (?1, ?2, ?3, ?4) "
           "ON CONFLICT (owner, peer, kind) DO UPDATE SET action = excluded.action"),
      remove_(db, "DELETE FROM im_access_rule WHERE owner = ?1 AND peer = ?2 AND kind = ?3"),
      list_(db,
            "SELECT owner, peer, kind, action FROM im_access_rule WHERE owner = ?1 "
            "ORDER BY peer, CASE kind WHEN 'session' THEN 0 ELSE 1 END"),
      // ?3..?5 are the matching patterns, most specific first (?4 NULL when
      // the peer has no domain); the best-ranked rule found decides.
      decide_(db,
              "SELECT action FROM im_access_rule WHERE owner = ?1 AND kind = ?2 AND peer IN (?3, ?4, ?5) "
              "ORDER BY CASE peer WHEN ?3 THEN 0 WHEN ?4 THEN 1 ELSE 2 END LIMIT 1"),
      prefetch_(db,
                "SELECT owner, peer, kind, action FROM im_access_rule WHERE owner IN (SELECT value FROM json_each(?1))"),
      rows_(cache)
{
}

void SqliteAccessRuleStore::set(const std::string &owner, const std::string &peer, AccessKind kind,
                                AccessAction action)
{
    const RowCacheWrite write(rows_);
    const std::string pattern = normalize_peer_pattern(peer);
    const ResetOnExit reset(set_);
    set_.bind_text(1, owner).bind_text(2, pattern).bind_text(3, to_string(kind)).bind_text(4, to_string(action));
    set_.step();
}

bool SqliteAccessRuleStore::remove(const std::string &owner, const std::string &peer, AccessKind kind)
{
    const RowCacheWrite write(rows_);
    const std::string pattern = normalize_peer_pattern(peer);
    const ResetOnExit reset(remove_);
    remove_.bind_text(1, owner).bind_text(2, pattern).bind_text(3, to_string(kind));
    remove_.step();
    return db_.changes() > 0;
}

std::vector<AccessRule> SqliteAccessRuleStore::list(const std::string &owner)
{
    const ResetOnExit reset(list_);
    list_.bind_text(1, owner);
    std::vector<AccessRule> rules;
    while (list_.step() == StepResult::row)
        rules.push_back({list_.column_text(0), list_.column_text(1), kind_column(list_, 2), action_column(list_, 3)});
    return rules;
}

void SqliteAccessRuleStore::read_missing(BatchRows &rows)
{
    if (rows.missing().empty()) return;
    std::unordered_map<std::string, OwnerAccessRules> found;
    {
        const ResetOnExit reset(prefetch_);
        prefetch_.bind_text(1, json_string_array(rows.missing()));
        while (prefetch_.step() == StepResult::row)
            found[prefetch_.column_text(0)].push_back(
                {prefetch_.column_text(1), kind_column(prefetch_, 2), action_column(prefetch_, 3)});
    }
    for (auto &[owner, rules] : found) rows_.keep(owner, std::move(rules));
    rows_.complete(rows, OwnerAccessRules{});  // no list
}

void SqliteAccessRuleStore::prefetch(const std::vector<std::string> &owners)
{
    BatchRows rows;
    if (resolve(owners, rows)) read_missing(rows);
}

std::optional<AccessAction> SqliteAccessRuleStore::decide(const std::string &owner, const std::string &peer_aor,
                                                          AccessKind kind)
{
    rows_.revalidate();
    const OwnerAccessRules *cached = rows_.find(owner);
    if (cached == nullptr && rows_.persistent()) {
        prefetch({owner});
        cached = rows_.find(owner);
    }
    if (cached != nullptr) return decide_among(*cached, peer_aor, kind);
    const std::vector<std::string> patterns = patterns_matching(peer_aor);
    const bool has_domain = patterns.size() == 3;
    const ResetOnExit reset(decide_);
    decide_.bind_text(1, owner).bind_text(2, to_string(kind)).bind_text(3, patterns.front());
    if (has_domain) decide_.bind_text(4, patterns[1]);
    else decide_.bind_null(4);
    decide_.bind_text(5, patterns.back());
    if (decide_.step() != StepResult::row) return std::nullopt;
    return action_column(decide_, 0);
}

}  // namespace im::store

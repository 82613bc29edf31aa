#include "im/store/sqlite_access_rule_store.hpp"

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

SqliteAccessRuleStore::SqliteAccessRuleStore(SqliteDatabase &db)
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
                "SELECT owner, action, CASE peer WHEN ?3 THEN 0 WHEN ?4 THEN 1 ELSE 2 END AS rank FROM im_access_rule "
                "WHERE kind = ?2 AND peer IN (?3, ?4, ?5) AND owner IN (SELECT value FROM json_each(?1))")
{
}

void SqliteAccessRuleStore::set(const std::string &owner, const std::string &peer, AccessKind kind,
                                AccessAction action)
{
    prefetched_.clear();  // a write ends what a batch read
    const std::string pattern = normalize_peer_pattern(peer);
    const ResetOnExit reset(set_);
    set_.bind_text(1, owner).bind_text(2, pattern).bind_text(3, to_string(kind)).bind_text(4, to_string(action));
    set_.step();
}

bool SqliteAccessRuleStore::remove(const std::string &owner, const std::string &peer, AccessKind kind)
{
    prefetched_.clear();  // a write ends what a batch read
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

void SqliteAccessRuleStore::prefetch(const std::vector<std::string> &owners, const std::string &peer_aor,
                                     AccessKind kind)
{
    prefetched_.clear();
    prefetched_peer_ = peer_aor;
    prefetched_kind_ = kind;
    const std::vector<std::string> patterns = patterns_matching(peer_aor);
    const bool has_domain = patterns.size() == 3;
    std::unordered_map<std::string, std::int64_t> best_rank;
    for (const std::string &owner : owners) prefetched_.emplace(owner, std::nullopt);
    const ResetOnExit reset(prefetch_);
    prefetch_.bind_text(1, json_string_array(owners)).bind_text(2, to_string(kind)).bind_text(3, patterns.front());
    if (has_domain) prefetch_.bind_text(4, patterns[1]);
    else prefetch_.bind_null(4);
    prefetch_.bind_text(5, patterns.back());
    // The best-ranked rule per owner decides, as in decide().
    while (prefetch_.step() == StepResult::row) {
        const std::string owner = prefetch_.column_text(0);
        const std::int64_t rank = prefetch_.column_int64(2);
        auto [it, fresh] = best_rank.try_emplace(owner, rank);
        if (!fresh && rank >= it->second) continue;
        it->second = rank;
        prefetched_[owner] = action_column(prefetch_, 1);
    }
}

std::optional<AccessAction> SqliteAccessRuleStore::decide(const std::string &owner, const std::string &peer_aor,
                                                          AccessKind kind)
{
    if (kind == prefetched_kind_ && peer_aor == prefetched_peer_) {
        if (auto cached = prefetched_.find(owner); cached != prefetched_.end()) return cached->second;
    }
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

#include "im/store/sqlite_group_store.hpp"

#include <limits>

#include "im/store/store_error.hpp"

namespace im::store {

namespace {

constexpr std::string_view kGroupColumns =
    "uri, display_name, max_participants, anonymity_allowed, auto_release, rules, created_at";

std::string select_groups(std::string_view rest)
{
    return "SELECT " + std::string(kGroupColumns) + " FROM im_group " + std::string(rest);
}

// ?1 uri, ?2 display_name, ?3 max_participants, ?4 anonymity_allowed,
// ?5 auto_release, ?6 rules: shared by the INSERT and the UPDATE.
void bind_attributes(SqliteStatement &statement, const Group &group)
{
    statement.bind_text(1, group.uri)
        .bind_text(2, group.display_name)
        .bind_int64(4, group.anonymity_allowed ? 1 : 0)
        .bind_int64(5, group.auto_release ? 1 : 0)
        .bind_text(6, rules_to_text(group.rules));
    if (group.max_participants) statement.bind_int64(3, *group.max_participants);
    else statement.bind_null(3);
}

GroupRules rules_column(const SqliteStatement &row, int column, const std::string &uri)
{
    const std::string text = row.column_text(column);
    if (text.empty()) return GroupRules{};  // the schema's default: no rules set
    if (auto rules = rules_from_text(text)) return *rules;
    throw StoreError("im_group: group " + uri + " has unreadable rules '" + text + "'");
}

std::optional<int> max_participants_column(const SqliteStatement &row, int column, const std::string &uri)
{
    if (row.column_is_null(column)) return std::nullopt;
    const std::int64_t value = row.column_int64(column);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
        throw StoreError("im_group: group " + uri + " has max_participants " + std::to_string(value) +
                         " out of range");
    return static_cast<int>(value);
}

// A row of kGroupColumns, without members.
Group read_group(const SqliteStatement &row)
{
    Group group;
    group.uri = row.column_text(0);
    group.display_name = row.column_text(1);
    group.max_participants = max_participants_column(row, 2, group.uri);
    group.anonymity_allowed = row.column_int64(3) != 0;
    group.auto_release = row.column_int64(4) != 0;
    group.rules = rules_column(row, 5, group.uri);
    group.created_at = row.column_int64(6);
    return group;
}

}  // namespace

SqliteGroupStore::SqliteGroupStore(SqliteDatabase &db)
    : db_(db),
      create_(db, "INSERT INTO im_group (" + std::string(kGroupColumns) +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (uri) DO NOTHING"),
      update_(db,
              "UPDATE im_group SET display_name = ?2, max_participants = ?3, anonymity_allowed = ?4, "
              "auto_release = ?5, rules = ?6 WHERE uri = ?1"),
      // Members go with their group through ON DELETE CASCADE (foreign keys
      // are on in every SqliteDatabase).
      remove_(db, "DELETE FROM im_group WHERE uri = ?1"),
      exists_(db, "SELECT 1 FROM im_group WHERE uri = ?1"),
      find_(db, select_groups("WHERE uri = ?1")),
      list_(db, select_groups("ORDER BY uri")),
      // The group's existence is checked in the same statement, so a group
      // removed meanwhile by another process cannot gain a member.
      upsert_member_(db,
                     "INSERT INTO im_group_member (group_uri, member_uri, nickname, role) "
                     "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM im_group WHERE uri = ?1) "
                     "ON CONFLICT (group_uri, member_uri) DO UPDATE SET nickname = excluded.nickname, "
                     "role = excluded.role"),
      remove_member_(db, "DELETE FROM im_group_member WHERE group_uri = ?1 AND member_uri = ?2"),
      is_member_(db, "SELECT 1 FROM im_group_member WHERE group_uri = ?1 AND member_uri = ?2"),
      // The primary key (group_uri, member_uri) serves both the filter and the order.
      members_(db,
               "SELECT member_uri, nickname, role FROM im_group_member WHERE group_uri = ?1 "
               "ORDER BY member_uri")
{
}

void SqliteGroupStore::create(const Group &group)
{
    require_storable(group);
    SqliteTransaction transaction(db_);
    {
        const ResetOnExit reset(create_);
        bind_attributes(create_, group);
        create_.bind_int64(7, group.created_at);
        create_.step();
    }
    if (db_.changes() == 0) throw StoreError("im_group: group " + group.uri + " already exists");
    for (const GroupMember &member : group.members) upsert_member(group.uri, member);
    transaction.commit();
}

bool SqliteGroupStore::update(const Group &group)
{
    require_storable_attributes(group);
    const ResetOnExit reset(update_);
    bind_attributes(update_, group);
    update_.step();
    return db_.changes() > 0;
}

bool SqliteGroupStore::remove(const std::string &uri)
{
    const ResetOnExit reset(remove_);
    remove_.bind_text(1, uri);
    remove_.step();
    return db_.changes() > 0;
}

std::optional<Group> SqliteGroupStore::find(const std::string &uri)
{
    std::optional<Group> group;
    {
        const ResetOnExit reset(find_);
        find_.bind_text(1, uri);
        if (find_.step() == StepResult::row) group = read_group(find_);
    }
    if (group) group->members = members(uri);
    return group;
}

std::vector<Group> SqliteGroupStore::list()
{
    const ResetOnExit reset(list_);
    std::vector<Group> groups;
    while (list_.step() == StepResult::row) groups.push_back(read_group(list_));
    return groups;
}

bool SqliteGroupStore::add_member(const std::string &group_uri, const GroupMember &member)
{
    require_storable(member);
    return upsert_member(group_uri, member);
}

bool SqliteGroupStore::upsert_member(const std::string &group_uri, const GroupMember &member)
{
    const ResetOnExit reset(upsert_member_);
    upsert_member_.bind_text(1, group_uri)
        .bind_text(2, member.uri)
        .bind_text(3, member.nickname)
        .bind_text(4, member.role);
    upsert_member_.step();
    return db_.changes() > 0;
}

bool SqliteGroupStore::remove_member(const std::string &group_uri, const std::string &member_uri)
{
    const ResetOnExit reset(remove_member_);
    remove_member_.bind_text(1, group_uri).bind_text(2, member_uri);
    remove_member_.step();
    return db_.changes() > 0;
}

bool SqliteGroupStore::exists(const std::string &uri)
{
    const ResetOnExit reset(exists_);
    exists_.bind_text(1, uri);
    return exists_.step() == StepResult::row;
}

bool SqliteGroupStore::is_member(const std::string &group_uri, const std::string &member_uri)
{
    const ResetOnExit reset(is_member_);
    is_member_.bind_text(1, group_uri).bind_text(2, member_uri);
    return is_member_.step() == StepResult::row;
}

std::vector<GroupMember> SqliteGroupStore::members(const std::string &group_uri)
{
    const ResetOnExit reset(members_);
    members_.bind_text(1, group_uri);
    std::vector<GroupMember> found;
    while (members_.step() == StepResult::row)
        found.push_back({members_.column_text(0), members_.column_text(1), members_.column_text(2)});
    return found;
}

}  // namespace im::store

#pragma once
// GroupStore over tables im_group and im_group_member
// (sql/im_controlling-create.sql).
#include "im/store/group_store.hpp"
#include "im/store/sqlite.hpp"

namespace im::store {

// Statements are prepared once here; `db` must outlive the store. The rules
// are kept in the rules column as rules_to_text() writes them; an empty column
// (the schema's default) reads as the default rules, and a row whose rules
// cannot be read throws StoreError rather than guess at who may do what.
//
// find() runs two queries, the group row then its members, each on its own
// snapshot: a change another process commits in between may show in the
// members but not in the row. That is harmless for the one request being
// routed, and cheaper than a read transaction on every group MESSAGE.
class SqliteGroupStore final : public GroupStore {
public:
    explicit SqliteGroupStore(SqliteDatabase &db);

    void create(const Group &group) override;
    bool update(const Group &group) override;
    bool remove(const std::string &uri) override;
    std::optional<Group> find(const std::string &uri) override;
    std::vector<Group> list() override;
    bool add_member(const std::string &group_uri, const GroupMember &member) override;
    bool remove_member(const std::string &group_uri, const std::string &member_uri) override;
    bool is_member(const std::string &group_uri, const std::string &member_uri) override;
    bool exists(const std::string &uri) override;
    std::vector<GroupMember> members(const std::string &group_uri) override;

private:
    // add_member() without the check, for use inside create()'s transaction.
    bool upsert_member(const std::string &group_uri, const GroupMember &member);

    SqliteDatabase &db_;
    SqliteStatement create_;
    SqliteStatement update_;
    SqliteStatement remove_;
    SqliteStatement exists_;
    SqliteStatement find_;
    SqliteStatement list_;
    SqliteStatement upsert_member_;
    SqliteStatement remove_member_;
    SqliteStatement is_member_;
    SqliteStatement members_;
};

}  // namespace im::store

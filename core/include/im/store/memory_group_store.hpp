#pragma once
// An in-memory GroupStore for unit tests of domain logic; it honours the same
// contract as SqliteGroupStore.
#include <map>

#include "im/store/group_store.hpp"

namespace im::store {

class MemoryGroupStore final : public GroupStore {
public:
    void create(const Group &group) override;
    bool update(const Group &group) override;
    bool remove(const std::string &uri) override;
    std::optional<Group> find(const std::string &uri) override;
    std::vector<Group> list() override;
    bool add_member(const std::string &group_uri, const GroupMember &member) override;
    bool remove_member(const std::string &group_uri, const std::string &member_uri) override;
    bool is_member(const std::string &group_uri, const std::string &member_uri) override;
    bool exists(const std::string &uri) override { return groups_.contains(uri); }
    std::vector<GroupMember> members(const std::string &group_uri) override;

private:
    struct StoredGroup {
        Group attributes;                                              // members left empty
        std::map<std::string, GroupMember, std::less<>> members{};    // by member uri
    };
    std::map<std::string, StoredGroup, std::less<>> groups_;  // by group uri
};

}  // namespace im::store

#pragma once
// ConferenceStore over tables im_conference and im_conference_participant
// (sql/im_controlling-create.sql).
#include "im/store/conference_store.hpp"
#include "im/store/sqlite.hpp"

namespace im::store {

// Statements are prepared once here; `db` must outlive the store. The
// database enforces what the interface promises: one session per group (a
// partial unique index), no participant without its session (a foreign key,
// on in every SqliteDatabase, which also removes the participants with their
// session) and one participant per dialog (a unique index). next_local_cseq()
// needs UPDATE ... RETURNING, SQLite 3.35 or later.
class SqliteConferenceStore final : public ConferenceStore {
public:
    explicit SqliteConferenceStore(SqliteDatabase &db);

    Conference start(const Conference &conference) override;
    std::optional<Conference> find(const std::string &id) override;
    std::optional<Conference> find_by_group(const std::string &group_uri) override;
    std::vector<Conference> list() override;
    bool end(const std::string &id) override;

    void add_participant(const ConferenceParticipant &participant) override;
    std::optional<ConferenceParticipant> find_by_dialog(const std::string &call_id,
                                                        const std::string &local_tag) override;
    std::vector<ConferenceParticipant> participants(const std::string &conference) override;
    std::size_t participant_count(const std::string &conference) override;
    bool remove_participant(const std::string &conference, const std::string &participant) override;
    std::optional<std::int64_t> next_local_cseq(const std::string &conference,
                                                const std::string &participant) override;

private:
    // Whether the row was inserted: false when its id or its group is taken.
    bool insert_conference(const Conference &conference);

    SqliteDatabase &db_;
    SqliteStatement insert_conference_;
    SqliteStatement find_;
    SqliteStatement find_by_group_;
    SqliteStatement list_;
    SqliteStatement end_;
    SqliteStatement add_participant_;
    SqliteStatement find_by_dialog_;
    SqliteStatement participants_;
    SqliteStatement participant_count_;
    SqliteStatement remove_participant_;
    SqliteStatement next_local_cseq_;
};

}  // namespace im::store

#include "im/store/sqlite_conference_store.hpp"

#include "im/store/store_error.hpp"

namespace im::store {

namespace {

constexpr std::string_view kConferenceColumns = "id, group_uri, initiator, started_at";

constexpr std::string_view kParticipantColumns =
    "conference, participant, identity, anonymous, call_id, local_tag, remote_tag, local_uri, remote_uri, "
    "remote_target, route_set, local_cseq, socket, sdp_answer, joined_at";

std::string select_conferences(std::string_view rest)
{
    return "SELECT " + std::string(kConferenceColumns) + " FROM im_conference " + std::string(rest);
}

std::string select_participants(std::string_view rest)
{
    return "SELECT " + std::string(kParticipantColumns) + " FROM im_conference_participant " + std::string(rest);
}

// A row of kConferenceColumns.
Conference read_conference(const SqliteStatement &row)
{
    return Conference{.id = row.column_text(0),
                      .group_uri = row.column_text(1),
                      .initiator = row.column_text(2),
                      .started_at = row.column_int64(3)};
}

// A row of kParticipantColumns.
ConferenceParticipant read_participant(const SqliteStatement &row)
{
    return ConferenceParticipant{.conference = row.column_text(0),
                                 .participant = row.column_text(1),
                                 .identity = row.column_text(2),
                                 .anonymous = row.column_int64(3) != 0,
                                 .dialog = FocusDialog{.call_id = row.column_text(4),
                                                       .local_tag = row.column_text(5),
                                                       .remote_tag = row.column_text(6),
                                                       .local_uri = row.column_text(7),
                                                       .remote_uri = row.column_text(8),
                                                       .remote_target = row.column_text(9),
                                                       .route_set = row.column_text(10),
                                                       .local_cseq = row.column_int64(11),
                                                       .socket = row.column_text(12)},
                                 .sdp_answer = row.column_text(13),
                                 .joined_at = row.column_int64(14)};
}

}  // namespace

SqliteConferenceStore::SqliteConferenceStore(SqliteDatabase &db)
    : db_(db),
      // DO NOTHING on either unique constraint (the id, or the group's one
      // session): start() tells them apart.
      insert_conference_(db, "INSERT INTO im_conference (" + std::string(kConferenceColumns) +
                                 ") VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"),
      find_(db, select_conferences("WHERE id = ?1")),
      // The condition repeats the partial index's, without which SQLite cannot
      // use the index; it also keeps "" from finding some ad-hoc session.
      find_by_group_(db, select_conferences("WHERE group_uri = ?1 AND group_uri <> ''")),
      list_(db, select_conferences("ORDER BY id")),
      // Participants go with their session through ON DELETE CASCADE.
      end_(db, "DELETE FROM im_conference WHERE id = ?1"),
      add_participant_(db, "INSERT INTO im_conference_participant (" + std::string(kParticipantColumns) +
                               ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
      find_by_dialog_(db, select_participants("WHERE call_id = ?1 AND local_tag = ?2")),
      participants_(db, select_participants("WHERE conference = ?1 ORDER BY joined_at, participant")),
      participant_count_(db, "SELECT count(*) FROM im_conference_participant WHERE conference = ?1"),
      remove_participant_(db, "DELETE FROM im_conference_participant WHERE conference = ?1 AND participant = ?2"),
      // One statement reads and writes, so two processes never take the same CSeq.
      next_local_cseq_(db,
                       "UPDATE im_conference_participant SET local_cseq = local_cseq + 1 "
                       "WHERE conference = ?1 AND participant = ?2 RETURNING local_cseq")
{
}

Conference SqliteConferenceStore::start(const Conference &conference)
{
    // Holds the write lock from the INSERT to the reads that explain a
    // conflict: no other process can start or end the group's session between.
    SqliteTransaction transaction(db_);
    if (insert_conference(conference)) {
        transaction.commit();
        return conference;
    }
    if (find(conference.id))
        throw StoreError("im_conference: session " + conference.id + " already exists");
    std::optional<Conference> active = find_by_group(conference.group_uri);
    if (!active)  // neither constraint is taken: cannot happen
        throw StoreError("im_conference: session " + conference.id + " was not stored");
    transaction.commit();
    return *active;
}

bool SqliteConferenceStore::insert_conference(const Conference &conference)
{
    const ResetOnExit reset(insert_conference_);
    insert_conference_.bind_text(1, conference.id)
        .bind_text(2, conference.group_uri)
        .bind_text(3, conference.initiator)
        .bind_int64(4, conference.started_at);
    insert_conference_.step();
    return db_.changes() > 0;
}

std::optional<Conference> SqliteConferenceStore::find(const std::string &id)
{
    const ResetOnExit reset(find_);
    find_.bind_text(1, id);
    if (find_.step() == StepResult::row) return read_conference(find_);
    return std::nullopt;
}

std::optional<Conference> SqliteConferenceStore::find_by_group(const std::string &group_uri)
{
    const ResetOnExit reset(find_by_group_);
    find_by_group_.bind_text(1, group_uri);
    if (find_by_group_.step() == StepResult::row) return read_conference(find_by_group_);
    return std::nullopt;
}

std::vector<Conference> SqliteConferenceStore::list()
{
    const ResetOnExit reset(list_);
    std::vector<Conference> conferences;
    while (list_.step() == StepResult::row) conferences.push_back(read_conference(list_));
    return conferences;
}

bool SqliteConferenceStore::end(const std::string &id)
{
    const ResetOnExit reset(end_);
    end_.bind_text(1, id);
    end_.step();
    return db_.changes() > 0;  // the session's row alone: cascaded deletes do not count
}

void SqliteConferenceStore::add_participant(const ConferenceParticipant &participant)
{
    const ResetOnExit reset(add_participant_);
    const FocusDialog &dialog = participant.dialog;
    add_participant_.bind_text(1, participant.conference)
        .bind_text(2, participant.participant)
        .bind_text(3, participant.identity)
        .bind_int64(4, participant.anonymous ? 1 : 0)
        .bind_text(5, dialog.call_id)
        .bind_text(6, dialog.local_tag)
        .bind_text(7, dialog.remote_tag)
        .bind_text(8, dialog.local_uri)
        .bind_text(9, dialog.remote_uri)
        .bind_text(10, dialog.remote_target)
        .bind_text(11, dialog.route_set)
        .bind_int64(12, dialog.local_cseq)
        .bind_text(13, dialog.socket)
        .bind_text(14, participant.sdp_answer)
        .bind_int64(15, participant.joined_at);
    try {
        add_participant_.step();
    } catch (const StoreError &error) {
        // SQLite names the constraint (FOREIGN KEY for an unknown session,
        // UNIQUE with its columns for a duplicate) but not the rows.
        throw StoreError("im_conference_participant: cannot add participant " + participant.participant +
                         " (Call-ID " + dialog.call_id + ", tag " + dialog.local_tag + ") to session " +
                         participant.conference + ": " + error.what());
    }
}

std::optional<ConferenceParticipant> SqliteConferenceStore::find_by_dialog(const std::string &call_id,
                                                                           const std::string &local_tag)
{
    const ResetOnExit reset(find_by_dialog_);
    find_by_dialog_.bind_text(1, call_id).bind_text(2, local_tag);
    if (find_by_dialog_.step() == StepResult::row) return read_participant(find_by_dialog_);
    return std::nullopt;
}

std::vector<ConferenceParticipant> SqliteConferenceStore::participants(const std::string &conference)
{
    const ResetOnExit reset(participants_);
    participants_.bind_text(1, conference);
    std::vector<ConferenceParticipant> found;
    while (participants_.step() == StepResult::row) found.push_back(read_participant(participants_));
    return found;
}

std::size_t SqliteConferenceStore::participant_count(const std::string &conference)
{
    const ResetOnExit reset(participant_count_);
    participant_count_.bind_text(1, conference);
    participant_count_.step();
    return static_cast<std::size_t>(participant_count_.column_int64(0));
}

bool SqliteConferenceStore::remove_participant(const std::string &conference, const std::string &participant)
{
    const ResetOnExit reset(remove_participant_);
    remove_participant_.bind_text(1, conference).bind_text(2, participant);
    remove_participant_.step();
    return db_.changes() > 0;
}

std::optional<std::int64_t> SqliteConferenceStore::next_local_cseq(const std::string &conference,
                                                                   const std::string &participant)
{
    const ResetOnExit reset(next_local_cseq_);
    next_local_cseq_.bind_text(1, conference).bind_text(2, participant);
    if (next_local_cseq_.step() != StepResult::row) return std::nullopt;
    const std::int64_t cseq = next_local_cseq_.column_int64(0);
    // Run to the end, so that the write completes (and, outside a
    // transaction, commits) as a finished statement, not through the reset.
    next_local_cseq_.step();
    return cseq;
}

}  // namespace im::store

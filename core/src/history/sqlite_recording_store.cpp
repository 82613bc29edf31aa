#include "im/history/sqlite_recording_store.hpp"

namespace im::history {
namespace {

constexpr const char *kColumns = "owner, conversation_id, peer, recorder, started_at, ended_at";

bool has_stored_messages(store::SqliteDatabase &db)
{
    store::SqliteStatement query(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'msrp_stored_message'");
    return query.step() == store::StepResult::row;
}

// The messages of a recording: the relay's rows of its session and owner.
std::string list_sql(bool counted)
{
    const std::string messages = counted ? "(SELECT count(*) FROM msrp_stored_message m WHERE m.session = c.conversation_id"
                                           " AND m.owner = c.owner AND m.role = 'recorder')"
                                         : "-1";
    return std::string("SELECT ") + kColumns + ", " + messages +
           " FROM im_history_conversation c WHERE owner = ?1 AND kind = 'session' ORDER BY started_at DESC, id DESC";
}

Recording recording_of(const store::SqliteStatement &row)
{
    Recording r;
    r.owner = row.column_text(0);
    r.conference = row.column_text(1);
    r.session_identity = row.column_text(2);
    r.recorder = row.column_text(3);
    r.started_at = row.column_int64(4);
    if (!row.column_is_null(5)) r.ended_at = row.column_int64(5);
    return r;
}

}  // namespace

SqliteRecordingStore::SqliteRecordingStore(store::SqliteDatabase &db)
    : db_(db),
      // A stopped recording of the same session goes on from where it was.
      start_(db,
             "INSERT INTO im_history_conversation (owner, conversation_id, kind, peer, started_at, recorder)"
             " VALUES (?1, ?2, 'session', ?3, ?4, ?5)"
             " ON CONFLICT (owner, conversation_id) DO UPDATE SET recorder = excluded.recorder, ended_at = NULL"
             " WHERE ended_at IS NOT NULL"),
      running_(db, std::string("SELECT ") + kColumns +
                       " FROM im_history_conversation WHERE owner = ?1 AND conversation_id = ?2 AND ended_at IS NULL"),
      stop_(db,
            "UPDATE im_history_conversation SET ended_at = ?3, recorder = ''"
            " WHERE owner = ?1 AND conversation_id = ?2 AND ended_at IS NULL"),
      list_(db, list_sql(has_stored_messages(db)))
{
}

bool SqliteRecordingStore::start(const Recording &recording)
{
    const store::ResetOnExit reset(start_);
    start_.bind_text(1, recording.owner)
        .bind_text(2, recording.conference)
        .bind_text(3, recording.session_identity)
        .bind_int64(4, recording.started_at)
        .bind_text(5, recording.recorder);
    start_.step();
    return db_.changes() > 0;
}

std::optional<Recording> SqliteRecordingStore::running(const std::string &owner, const std::string &conference)
{
    const store::ResetOnExit reset(running_);
    running_.bind_text(1, owner).bind_text(2, conference);
    if (running_.step() != store::StepResult::row) return std::nullopt;
    return recording_of(running_);
}

bool SqliteRecordingStore::stop(const std::string &owner, const std::string &conference, std::int64_t ended_at)
{
    const store::ResetOnExit reset(stop_);
    stop_.bind_text(1, owner).bind_text(2, conference).bind_int64(3, ended_at);
    stop_.step();
    return db_.changes() > 0;
}

std::vector<Recording> SqliteRecordingStore::list(const std::string &owner)
{
    const store::ResetOnExit reset(list_);
    list_.bind_text(1, owner);
    std::vector<Recording> recordings;
    while (list_.step() == store::StepResult::row) {
        recordings.push_back(recording_of(list_));
        recordings.back().messages = list_.column_int64(6);
    }
    return recordings;
}

}  // namespace im::history

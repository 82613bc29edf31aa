#pragma once
// RecordingStore over table im_history_conversation (sql/im_history-create.sql),
// with the message counts from the relay's msrp_stored_message when that
// table is in the same database (sql/msrp_relay-create.sql).
#include <optional>

#include "im/history/session_recording.hpp"
#include "im/store/sqlite.hpp"

namespace im::history {

class SqliteRecordingStore final : public RecordingStore {
public:
    // Statements are prepared once here; `db` must outlive the store.
    explicit SqliteRecordingStore(store::SqliteDatabase &db);

    bool start(const Recording &recording) override;
    std::optional<Recording> running(const std::string &owner, const std::string &conference) override;
    bool stop(const std::string &owner, const std::string &conference, std::int64_t ended_at) override;
    std::vector<Recording> list(const std::string &owner) override;

private:
    store::SqliteDatabase &db_;
    store::SqliteStatement start_;
    store::SqliteStatement running_;
    store::SqliteStatement stop_;
    store::SqliteStatement list_;
};

}  // namespace im::history

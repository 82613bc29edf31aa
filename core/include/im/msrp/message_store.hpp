#pragma once
// The messages the MSRP relay terminates (endpoint sessions: deferred
// messages) or records (a conference's recorder: history), stored for
// im_deferred and im_history to read. Schema: sql/msrp_relay-create.sql
// (table msrp_stored_message). An interface, a SQLite implementation that
// commits before add() returns, and an in-memory fake for tests. Nothing
// here throws: a store failure is an ordinary outcome the relay answers.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "im/msrp/result.hpp"

namespace im::msrp {

inline constexpr std::string_view kStoredMessageTable = "msrp_stored_message";
inline constexpr int kStoredMessageTableVersion = 1;
inline constexpr std::string_view kStoreModule = "msrp_relay";  // sql/msrp_relay-create.sql

struct StoredMessage {
    std::int64_t id = 0;              // assigned by the store: the order messages were stored in
    std::string session;              // relay session id
    std::string owner;                // the store key the session or recorder was created with (e.g. the served user)
    std::string role = "endpoint";    // "endpoint" (a session the relay terminates) or "recorder"
    std::string kind = "msrp";        // "msrp": a SEND; "sip": a whole SIP request, start line and headers in `headers`
    std::string sender;               // the sender's identity (conference), else the last From-Path URI
    std::string message_id;           // MSRP Message-ID (for "sip", the Call-ID)
    std::string transaction_id;       // of the SEND's first chunk
    // "msrp": the header lines of the SEND's first chunk from To-Path on,
    // each ending in CRLF, without Byte-Range and Content-Type (the message
    // is stored whole). "sip": the start line and headers, CRLF-terminated.
    std::string headers;
    std::string content_type;
    std::string body;
    std::int64_t received_at_ms = 0;  // Unix time in ms when its last chunk arrived

    bool operator==(const StoredMessage &) const = default;
};

struct StoreFailure {
    std::string reason;

    bool operator==(const StoreFailure &) const = default;
};

class MessageStore {
public:
    virtual ~MessageStore() = default;
    // Stores the message durably: committed when it returns. Its row id.
    virtual Result<std::int64_t, StoreFailure> add(const StoredMessage &message) = 0;
    // nullopt when there is no such row.
    virtual Result<std::optional<StoredMessage>, StoreFailure> find(std::int64_t id) = 0;
    // Every row of a relay session, in the order stored.
    virtual Result<std::vector<StoredMessage>, StoreFailure> list_session(std::string_view session) = 0;
};

class MemoryMessageStore final : public MessageStore {
public:
    Result<std::int64_t, StoreFailure> add(const StoredMessage &message) override;
    Result<std::optional<StoredMessage>, StoreFailure> find(std::int64_t id) override;
    Result<std::vector<StoredMessage>, StoreFailure> list_session(std::string_view session) override;

    const std::vector<StoredMessage> &rows() const { return rows_; }
    // Tests: the next add() fails with this reason.
    std::optional<std::string> fail_next_add;

private:
    std::vector<StoredMessage> rows_;
};

class SqliteMessageStore final : public MessageStore {
public:
    // Opens the database (WAL). The table must be there in the version this
    // code knows (run sql/msrp_relay-create.sql), else the failure says so.
    static Result<std::unique_ptr<SqliteMessageStore>, StoreFailure> open(const std::filesystem::path &path);
    ~SqliteMessageStore() override;

    Result<std::int64_t, StoreFailure> add(const StoredMessage &message) override;
    Result<std::optional<StoredMessage>, StoreFailure> find(std::int64_t id) override;
    Result<std::vector<StoredMessage>, StoreFailure> list_session(std::string_view session) override;

private:
    struct Impl;
    explicit SqliteMessageStore(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace im::msrp

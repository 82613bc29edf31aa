#pragma once
// RAII wrappers over the sqlite3 C API. Every failure throws StoreError with
// SQLite's message and the statement concerned.
//
// Several Kamailio worker processes open the same database file, each with its
// own connection: open it after the fork (child_init), never before, because a
// connection must not be used by a process other than the one that opened it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace im::store {

class SqliteStatement;

class SqliteDatabase {
public:
    static constexpr std::chrono::milliseconds kDefaultBusyTimeout{5000};

    // Opens (creating if needed) the file and sets WAL journaling,
    // synchronous=NORMAL, foreign keys on, and how long to wait for another
    // process's write lock before failing with "database is locked".
    explicit SqliteDatabase(const std::filesystem::path &path,
                            std::chrono::milliseconds busy_timeout = kDefaultBusyTimeout);

    SqliteDatabase(const SqliteDatabase &) = delete;
    SqliteDatabase &operator=(const SqliteDatabase &) = delete;
    SqliteDatabase(SqliteDatabase &&) noexcept;
    SqliteDatabase &operator=(SqliteDatabase &&) noexcept;
    ~SqliteDatabase();

    // Runs every statement of a script (rows produced are discarded).
    void exec(std::string_view sql);

    // Rows changed by the last INSERT, UPDATE or DELETE on this connection.
    std::int64_t changes() const;
    std::int64_t last_insert_rowid() const;

    const std::filesystem::path &path() const { return path_; }
    // The raw connection, for the statement and transaction wrappers.
    sqlite3 *handle() const { return connection_.get(); }

    // A deferred BEGIN and its end (COMMIT, or ROLLBACK when that fails),
    // prepared once: SqliteReadSnapshot runs them once per group MESSAGE.
    // begin_read_at_first_statement() leaves the BEGIN to the connection's
    // next statement (SqliteStatement::step), if one runs before end_read().
    void begin_read();
    void begin_read_at_first_statement();
    void end_read() noexcept;
    bool read_begun() const noexcept;

private:
    friend class SqliteStatement;
    // Where the connection's read snapshot stands, shared with its
    // statements: on the heap, so that it stays put when the database moves.
    struct ReadState;
    struct Closer {
        void operator()(sqlite3 *connection) const noexcept;
    };
    std::unique_ptr<sqlite3, Closer> connection_;
    std::filesystem::path path_;
    // After connection_: its BEGIN and COMMIT are finalized before it closes.
    std::unique_ptr<ReadState> read_;
};

enum class StepResult { row, done };

// One prepared statement, meant to be prepared once and reused. It must not
// outlive its database connection.
class SqliteStatement {
public:
    // Exactly one SQL statement; anything else throws.
    SqliteStatement(SqliteDatabase &db, std::string_view sql);

    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;
    SqliteStatement(SqliteStatement &&) noexcept = default;
    SqliteStatement &operator=(SqliteStatement &&) noexcept = default;
    ~SqliteStatement() = default;

    // Parameters are numbered from 1.
    SqliteStatement &bind_text(int index, std::string_view value);
    SqliteStatement &bind_int64(int index, std::int64_t value);
    SqliteStatement &bind_blob(int index, std::span<const std::byte> value);
    SqliteStatement &bind_null(int index);

    StepResult step();

    // Columns of the current row are numbered from 0. NULL reads as "", 0 or
    // an empty blob; ask column_is_null to tell them apart.
    bool column_is_null(int index) const;
    std::string column_text(int index) const;
    std::int64_t column_int64(int index) const;
    std::vector<std::byte> column_blob(int index) const;

    // Makes the statement ready to run again and clears its bindings. A read
    // that is not reset keeps its snapshot open, so later reads on this
    // connection would not see other processes' writes.
    void reset() noexcept;

    std::string_view sql() const;

private:
    void check_bind(int rc, int index) const;
    void check_column(int index) const;

    struct Finalizer {
        void operator()(sqlite3_stmt *statement) const noexcept;
    };
    std::unique_ptr<sqlite3_stmt, Finalizer> statement_;
    SqliteDatabase::ReadState *read_ = nullptr;  // its connection's: step() begins a snapshot waiting for it
};

// Resets a kept statement when the scope ends, however it ends.
class ResetOnExit {
public:
    explicit ResetOnExit(SqliteStatement &statement) : statement_(statement) {}
    ResetOnExit(const ResetOnExit &) = delete;
    ResetOnExit &operator=(const ResetOnExit &) = delete;
    ~ResetOnExit() { statement_.reset(); }

private:
    SqliteStatement &statement_;
};

// BEGIN IMMEDIATE takes the write lock up front, so two processes never both
// read and then fail to upgrade; rolled back unless commit() succeeded.
class SqliteTransaction {
public:
    explicit SqliteTransaction(SqliteDatabase &db);

    SqliteTransaction(const SqliteTransaction &) = delete;
    SqliteTransaction &operator=(const SqliteTransaction &) = delete;
    ~SqliteTransaction();

    void commit();

private:
    SqliteDatabase &db_;
    bool committed_ = false;
};

// A JSON array of strings, for one statement to take a whole set of keys:
// "... WHERE key IN (SELECT value FROM json_each(?1))" (SQLite's JSON1).
std::string json_string_array(const std::vector<std::string> &items);

// One read snapshot for many queries (a deferred BEGIN): the connection takes
// its locks and validates its cache once instead of once per statement.
// Ended (COMMIT, or ROLLBACK if that fails) when it goes out of scope. One
// at a time per connection.
class SqliteReadSnapshot {
public:
    explicit SqliteReadSnapshot(SqliteDatabase &db);

    // Begun by the connection's first statement from now on, if any runs
    // before the snapshot ends: work that may read nothing at all (a batch
    // whose rows are all cached) runs no BEGIN and no COMMIT then.
    struct AtFirstStatement {};
    SqliteReadSnapshot(SqliteDatabase &db, AtFirstStatement);

    SqliteReadSnapshot(const SqliteReadSnapshot &) = delete;
    SqliteReadSnapshot &operator=(const SqliteReadSnapshot &) = delete;
    ~SqliteReadSnapshot();

    bool begun() const noexcept { return db_.read_begun(); }

private:
    SqliteDatabase &db_;
};

}  // namespace im::store

#include "im/store/sqlite.hpp"

#include <sqlite3.h>

#include <cctype>
#include <limits>

#include "im/store/store_error.hpp"

namespace im::store {

namespace {

// SQLite's message for `rc`: the connection's own text when it is about this
// error (it names the table or column), the generic text otherwise.
std::string sqlite_message(sqlite3 *connection, int rc)
{
    if (connection != nullptr && (sqlite3_errcode(connection) & 0xff) == (rc & 0xff))
        return sqlite3_errmsg(connection);
    return sqlite3_errstr(rc);
}

[[noreturn]] void throw_sqlite_error(sqlite3 *connection, int rc, std::string_view action,
                                     std::string_view sql)
{
    std::string message = "sqlite: ";
    message.append(action).append(": ").append(sqlite_message(connection, rc));
    if (!sql.empty()) message.append(" [sql: ").append(sql).append("]");
    throw StoreError(message);
}

bool only_blanks(std::string_view text)
{
    for (char c : text)
        if (!std::isspace(static_cast<unsigned char>(c)) && c != ';') return false;
    return true;
}

// For error messages: the statement a script was at, up to its first ';'.
std::string_view first_statement(std::string_view script)
{
    const auto end = script.find(';');
    return end == std::string_view::npos ? script : script.substr(0, end + 1);
}

int checked_length(std::string_view sql)
{
    if (sql.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
        throw StoreError("sqlite: SQL text too long");
    return static_cast<int>(sql.size());
}

}  // namespace

struct SqliteDatabase::ReadState {
    enum class Phase { none, waiting, begun };
    Phase phase = Phase::none;
    // Prepared once, on first use.
    std::unique_ptr<SqliteStatement> begin;
    std::unique_ptr<SqliteStatement> commit;

    // BEGIN now (a statement is about to run while a snapshot waits for one).
    void begin_now()
    {
        phase = Phase::begun;  // first: BEGIN's own step must not begin again
        try {
            const ResetOnExit reset(*begin);
            begin->step();
        } catch (...) {
            phase = Phase::none;
            throw;
        }
    }
};

void SqliteDatabase::Closer::operator()(sqlite3 *connection) const noexcept
{
    // _v2 defers the close until any statement still alive is finalized.
    sqlite3_close_v2(connection);
}

SqliteDatabase::SqliteDatabase(const std::filesystem::path &path, std::chrono::milliseconds busy_timeout)
    : path_(path), read_(std::make_unique<ReadState>())
{
    sqlite3 *raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    connection_.reset(raw);  // sqlite allocates a handle even when opening fails
    if (rc != SQLITE_OK)
        throw_sqlite_error(raw, rc, "cannot open database '" + path.string() + "'", {});

    // Before the pragmas: switching to WAL itself may wait for another process.
    sqlite3_busy_timeout(raw, static_cast<int>(busy_timeout.count()));

    SqliteStatement journal(*this, "PRAGMA journal_mode=WAL");
    const std::string mode = journal.step() == StepResult::row ? journal.column_text(0) : std::string{};
    if (mode != "wal" && mode != "memory")
        throw StoreError("sqlite: cannot enable WAL on '" + path.string() + "' (journal mode is '" + mode + "')");
    exec("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
}

void SqliteDatabase::exec(std::string_view sql)
{
    sqlite3 *connection = handle();
    while (!only_blanks(sql)) {
        sqlite3_stmt *raw = nullptr;
        const char *tail = nullptr;
        const int rc = sqlite3_prepare_v2(connection, sql.data(), checked_length(sql), &raw, &tail);
        const std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
        if (rc != SQLITE_OK) throw_sqlite_error(connection, rc, "cannot prepare", first_statement(sql));
        sql.remove_prefix(static_cast<std::size_t>(tail - sql.data()));
        if (raw == nullptr) continue;  // only a comment
        int step_rc = SQLITE_ROW;
        while (step_rc == SQLITE_ROW) step_rc = sqlite3_step(raw);
        if (step_rc != SQLITE_DONE) throw_sqlite_error(connection, step_rc, "cannot execute", sqlite3_sql(raw));
    }
}

SqliteDatabase::SqliteDatabase(SqliteDatabase &&) noexcept = default;
SqliteDatabase &SqliteDatabase::operator=(SqliteDatabase &&) noexcept = default;
SqliteDatabase::~SqliteDatabase() = default;

void SqliteDatabase::begin_read()
{
    begin_read_at_first_statement();
    read_->begin_now();
}

void SqliteDatabase::begin_read_at_first_statement()
{
    if (!read_->begin) read_->begin = std::make_unique<SqliteStatement>(*this, "BEGIN");
    read_->phase = ReadState::Phase::waiting;
}

bool SqliteDatabase::read_begun() const noexcept { return read_->phase == ReadState::Phase::begun; }

void SqliteDatabase::end_read() noexcept
{
    const bool begun = read_begun();
    read_->phase = ReadState::Phase::none;
    if (!begun) return;  // no statement ran: nothing to end
    if (sqlite3_get_autocommit(handle()) != 0) return;  // already ended by a failed statement
    try {
        if (!read_->commit) read_->commit = std::make_unique<SqliteStatement>(*this, "COMMIT");
        const ResetOnExit reset(*read_->commit);
        read_->commit->step();
        return;
    } catch (const std::exception &) {
        // a COMMIT that failed leaves the transaction open: roll it back
    }
    sqlite3_exec(handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t SqliteDatabase::changes() const { return sqlite3_changes64(handle()); }

std::int64_t SqliteDatabase::last_insert_rowid() const { return sqlite3_last_insert_rowid(handle()); }

void SqliteStatement::Finalizer::operator()(sqlite3_stmt *statement) const noexcept
{
    sqlite3_finalize(statement);
}

SqliteStatement::SqliteStatement(SqliteDatabase &db, std::string_view sql) : read_(db.read_.get())
{
    sqlite3 *connection = db.handle();
    sqlite3_stmt *raw = nullptr;
    const char *tail = nullptr;
    const int rc = sqlite3_prepare_v3(connection, sql.data(), checked_length(sql), SQLITE_PREPARE_PERSISTENT,
                                      &raw, &tail);
    statement_.reset(raw);
    if (rc != SQLITE_OK) throw_sqlite_error(connection, rc, "cannot prepare", sql);
    if (raw == nullptr) throw StoreError("sqlite: cannot prepare: no statement [sql: " + std::string(sql) + "]");

    // Only the first statement would ever run; refuse rather than drop the rest.
    const std::string_view rest = sql.substr(static_cast<std::size_t>(tail - sql.data()));
    if (!only_blanks(rest)) {
        sqlite3_stmt *extra = nullptr;
        const int extra_rc = sqlite3_prepare_v2(connection, rest.data(), checked_length(rest), &extra, nullptr);
        sqlite3_finalize(extra);
        if (extra_rc != SQLITE_OK || extra != nullptr)
            throw StoreError("sqlite: cannot prepare: more than one statement [sql: " + std::string(sql) + "]");
    }
}

void SqliteStatement::check_bind(int rc, int index) const
{
    if (rc != SQLITE_OK)
        throw_sqlite_error(sqlite3_db_handle(statement_.get()), rc,
                           "cannot bind parameter " + std::to_string(index), sql());
}

SqliteStatement &SqliteStatement::bind_text(int index, std::string_view value)
{
    // A null pointer would bind NULL; an empty text must stay ''.
    const char *data = value.data() != nullptr ? value.data() : "";
    check_bind(sqlite3_bind_text64(statement_.get(), index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
               index);
    return *this;
}

SqliteStatement &SqliteStatement::bind_int64(int index, std::int64_t value)
{
    check_bind(sqlite3_bind_int64(statement_.get(), index, value), index);
    return *this;
}

SqliteStatement &SqliteStatement::bind_blob(int index, std::span<const std::byte> value)
{
    static constexpr std::byte kEmpty{};
    const void *data = value.data() != nullptr ? static_cast<const void *>(value.data()) : &kEmpty;
    check_bind(sqlite3_bind_blob64(statement_.get(), index, data, value.size(), SQLITE_TRANSIENT), index);
    return *this;
}

SqliteStatement &SqliteStatement::bind_null(int index)
{
    check_bind(sqlite3_bind_null(statement_.get(), index), index);
    return *this;
}

StepResult SqliteStatement::step()
{
    if (read_ != nullptr && read_->phase == SqliteDatabase::ReadState::Phase::waiting) read_->begin_now();
    const int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) return StepResult::row;
    if (rc == SQLITE_DONE) return StepResult::done;
    sqlite3 *connection = sqlite3_db_handle(statement_.get());
    std::string message = sqlite_message(connection, rc);
    sqlite3_reset(statement_.get());  // leave it reusable
    throw StoreError("sqlite: cannot execute: " + message + " [sql: " + std::string(sql()) + "]");
}

void SqliteStatement::check_column(int index) const
{
    if (index < 0 || index >= sqlite3_data_count(statement_.get()))
        throw StoreError("sqlite: no column " + std::to_string(index) + " in the current row [sql: " +
                         std::string(sql()) + "]");
}

bool SqliteStatement::column_is_null(int index) const
{
    check_column(index);
    return sqlite3_column_type(statement_.get(), index) == SQLITE_NULL;
}

std::string SqliteStatement::column_text(int index) const
{
    check_column(index);
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement_.get(), index));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), index));
    return text != nullptr ? std::string(text, size) : std::string{};
}

std::int64_t SqliteStatement::column_int64(int index) const
{
    check_column(index);
    return sqlite3_column_int64(statement_.get(), index);
}

std::vector<std::byte> SqliteStatement::column_blob(int index) const
{
    check_column(index);
    const auto *data = static_cast<const std::byte *>(sqlite3_column_blob(statement_.get(), index));
    const auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_.get(), index));
    return data != nullptr ? std::vector<std::byte>(data, data + size) : std::vector<std::byte>{};
}

void SqliteStatement::reset() noexcept
{
    sqlite3_reset(statement_.get());
    sqlite3_clear_bindings(statement_.get());
}

std::string_view SqliteStatement::sql() const
{
    const char *text = statement_ ? sqlite3_sql(statement_.get()) : nullptr;
    return text != nullptr ? std::string_view(text) : std::string_view{};
}

SqliteTransaction::SqliteTransaction(SqliteDatabase &db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

SqliteTransaction::~SqliteTransaction()
{
    // A failed statement may already have rolled the transaction back.
    if (!committed_ && sqlite3_get_autocommit(db_.handle()) == 0)
        sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void SqliteTransaction::commit()
{
    db_.exec("COMMIT");
    committed_ = true;
}

std::string json_string_array(const std::vector<std::string> &items)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::string json = "[";
    for (const std::string &item : items) {
        if (json.size() > 1) json += ',';
        json += '"';
        for (const unsigned char c : item) {
            if (c == '"' || c == '\\') {
                json += '\\';
                json += static_cast<char>(c);
            } else if (c < 0x20) {
                json += "\\u00";
                json += kHex[c >> 4];
                json += kHex[c & 0xf];
            } else {
                json += static_cast<char>(c);
            }
        }
        json += '"';
    }
    return json + "]";
}

SqliteReadSnapshot::SqliteReadSnapshot(SqliteDatabase &db) : db_(db) { db_.begin_read(); }

SqliteReadSnapshot::SqliteReadSnapshot(SqliteDatabase &db, AtFirstStatement) : db_(db)
{
    db_.begin_read_at_first_statement();
}

SqliteReadSnapshot::~SqliteReadSnapshot() { db_.end_read(); }

}  // namespace im::store

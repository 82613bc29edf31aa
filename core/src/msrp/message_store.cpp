#include "im/msrp/message_store.hpp"

#include <array>
#include <cstddef>
#include <exception>
#include <span>
#include <utility>

#include "im/store/schema.hpp"
#include "im/store/sqlite.hpp"

namespace im::msrp {
namespace {

constexpr std::string_view kColumns =
    "id, session, owner, role, kind, sender, message_id, transaction_id, headers, content_type, body, received_at_ms";

StoredMessage read_row(const im::store::SqliteStatement &statement)
{
    StoredMessage message;
    message.id = statement.column_int64(0);
    message.session = statement.column_text(1);
    message.owner = statement.column_text(2);
    message.role = statement.column_text(3);
    message.kind = statement.column_text(4);
    message.sender = statement.column_text(5);
    message.message_id = statement.column_text(6);
    message.transaction_id = statement.column_text(7);
    message.headers = statement.column_text(8);
    message.content_type = statement.column_text(9);
    std::vector<std::byte> body = statement.column_blob(10);
    message.body.assign(reinterpret_cast<const char *>(body.data()), body.size());
    message.received_at_ms = statement.column_int64(11);
    return message;
}

}  // namespace

Result<std::int64_t, StoreFailure> MemoryMessageStore::add(const StoredMessage &message)
{
    if (fail_next_add) return StoreFailure{*std::exchange(fail_next_add, std::nullopt)};
    rows_.push_back(message);
    rows_.back().id = static_cast<std::int64_t>(rows_.size());
    return rows_.back().id;
}

Result<std::optional<StoredMessage>, StoreFailure> MemoryMessageStore::find(std::int64_t id)
{
    if (id < 1 || id > static_cast<std::int64_t>(rows_.size())) return std::optional<StoredMessage>{};
    return std::optional<StoredMessage>{rows_[static_cast<std::size_t>(id - 1)]};
}

Result<std::vector<StoredMessage>, StoreFailure> MemoryMessageStore::list_session(std::string_view session)
{
    std::vector<StoredMessage> found;
    for (const StoredMessage &row : rows_)
        if (row.session == session) found.push_back(row);
    return found;
}

struct SqliteMessageStore::Impl {
    explicit Impl(const std::filesystem::path &path)
        : db(path),
          insert(db, "INSERT INTO msrp_stored_message (session, owner, role, kind, sender, message_id, transaction_id, "
                     "headers, content_type, body, received_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
          by_id(db, "SELECT " + std::string(kColumns) + " FROM msrp_stored_message WHERE id = ?1"),
          by_session(db, "SELECT " + std::string(kColumns) + " FROM msrp_stored_message WHERE session = ?1 ORDER BY id")
    {
    }

    im::store::SqliteDatabase db;
    im::store::SqliteStatement insert;
    im::store::SqliteStatement by_id;
    im::store::SqliteStatement by_session;
};

Result<std::unique_ptr<SqliteMessageStore>, StoreFailure> SqliteMessageStore::open(const std::filesystem::path &path)
{
    try {
        // The version check first: preparing statements on a missing table would only say "no such table".
        {
            im::store::SqliteDatabase probe(path);
            const std::array<im::store::TableVersion, 1> tables{
                {{kStoredMessageTable, kStoredMessageTableVersion, kStoreModule}}};
            im::store::require_table_versions(probe, tables);
        }
        return std::unique_ptr<SqliteMessageStore>(new SqliteMessageStore(std::make_unique<Impl>(path)));
    } catch (const std::exception &error) {
        return StoreFailure{path.string() + ": " + error.what()};
    }
}

SqliteMessageStore::SqliteMessageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteMessageStore::~SqliteMessageStore() = default;

Result<std::int64_t, StoreFailure> SqliteMessageStore::add(const StoredMessage &message)
{
    try {
        im::store::SqliteStatement &insert = impl_->insert;
        im::store::ResetOnExit reset(insert);
        insert.bind_text(1, message.session)
            .bind_text(2, message.owner)
            .bind_text(3, message.role)
            .bind_text(4, message.kind)
            .bind_text(5, message.sender)
            .bind_text(6, message.message_id)
            .bind_text(7, message.transaction_id)
            .bind_text(8, message.headers)
            .bind_text(9, message.content_type)
            .bind_blob(10, std::as_bytes(std::span(message.body.data(), message.body.size())))
            .bind_int64(11, message.received_at_ms);
        // Autocommit: the row is committed (in the WAL) when step returns.
        insert.step();
        return impl_->db.last_insert_rowid();
    } catch (const std::exception &error) {
        return StoreFailure{error.what()};
    }
}

Result<std::optional<StoredMessage>, StoreFailure> SqliteMessageStore::find(std::int64_t id)
{
    try {
        im::store::SqliteStatement &query = impl_->by_id;
        im::store::ResetOnExit reset(query);
        query.bind_int64(1, id);
        if (query.step() != im::store::StepResult::row) return std::optional<StoredMessage>{};
        return std::optional<StoredMessage>{read_row(query)};
    } catch (const std::exception &error) {
        return StoreFailure{error.what()};
    }
}

Result<std::vector<StoredMessage>, StoreFailure> SqliteMessageStore::list_session(std::string_view session)
{
    try {
        im::store::SqliteStatement &query = impl_->by_session;
        im::store::ResetOnExit reset(query);
        query.bind_text(1, session);
        std::vector<StoredMessage> found;
        while (query.step() == im::store::StepResult::row) found.push_back(read_row(query));
        return found;
    } catch (const std::exception &error) {
        return StoreFailure{error.what()};
    }
}

}  // namespace im::msrp

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "../store/store_test_support.hpp"
#include "im/msrp/message_store.hpp"
#include "im/store/schema.hpp"
#include "im/store/sqlite.hpp"

namespace {

using im::msrp::MemoryMessageStore;
using im::msrp::MessageStore;
using im::msrp::SqliteMessageStore;
using im::msrp::StoredMessage;
using im::store::testing::TempDir;

StoredMessage sample(std::string session, std::string message_id, std::string body)
{
    StoredMessage message;
    message.session = std::move(session);
    message.owner = "sip:bob@example.com";
    message.role = "endpoint";
    message.sender = "msrp://192.0.2.1:4001/a1;tcp";
    message.message_id = std::move(message_id);
    message.transaction_id = "tx0001";
    message.headers = "To-Path: msrp://127.0.0.1:2855/p1;tcp\r\nFrom-Path: msrp://192.0.2.1:4001/a1;tcp\r\n";
    message.content_type = "application/octet-stream";
    message.body = std::move(body);
    message.received_at_ms = 1700000000123;
    return message;
}

std::unique_ptr<SqliteMessageStore> open_store(const std::filesystem::path &path)
{
    {
        im::store::SqliteDatabase db(path);
        im::store::apply_schema_file(db, im::store::testing::create_script("msrp_relay"));
    }
    auto store = SqliteMessageStore::open(path);
    EXPECT_TRUE(store.ok()) << (store.ok() ? "" : store.error().reason);
    return store.ok() ? std::move(store).value() : nullptr;
}

void round_trip(MessageStore &store)
{
    std::string binary("\0\x01\xff\r\n-------x$\r\n", 16);
    auto first = store.add(sample("s1", "m1", binary));
    auto second = store.add(sample("s2", "m2", "two"));
    auto third = store.add(sample("s1", "m3", "three"));
    ASSERT_TRUE(first.ok() && second.ok() && third.ok());
    EXPECT_LT(first.value(), second.value());
    EXPECT_LT(second.value(), third.value());

    auto found = store.find(first.value());
    ASSERT_TRUE(found.ok());
    ASSERT_TRUE(found.value());
    StoredMessage expected = sample("s1", "m1", binary);
    expected.id = first.value();
    EXPECT_EQ(*found.value(), expected) << "every column comes back, binary bodies byte for byte";

    auto missing = store.find(third.value() + 100);
    ASSERT_TRUE(missing.ok());
    EXPECT_FALSE(missing.value());

    auto session = store.list_session("s1");
    ASSERT_TRUE(session.ok());
    ASSERT_EQ(session.value().size(), 2u);
    EXPECT_EQ(session.value()[0].message_id, "m1");
    EXPECT_EQ(session.value()[1].message_id, "m3");
}

TEST(MsrpMessageStore, MemoryStoreRoundTrip)
{
    MemoryMessageStore store;
    round_trip(store);
    store.fail_next_add = "disk full";
    auto failed = store.add(sample("s1", "m4", "x"));
    ASSERT_FALSE(failed.ok());
    EXPECT_EQ(failed.error().reason, "disk full");
    EXPECT_TRUE(store.add(sample("s1", "m4", "x")).ok());
}

TEST(MsrpMessageStore, SqliteStoreRoundTripWithTheCreateScript)
{
    TempDir dir;
    auto store = open_store(dir.file("im.db"));
    ASSERT_TRUE(store);
    round_trip(*store);
}

TEST(MsrpMessageStore, SqliteStoreRefusesADatabaseWithoutItsTable)
{
    TempDir dir;
    { im::store::SqliteDatabase db(dir.file("empty.db")); }
    auto store = SqliteMessageStore::open(dir.file("empty.db"));
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.error().reason.find("msrp_stored_message"), std::string::npos) << store.error().reason;
    EXPECT_NE(store.error().reason.find("sql/msrp_relay-create.sql"), std::string::npos) << store.error().reason;
}

// What add() returned is on disk: a process killed right after (no
// destructor, no close) leaves it for the next reader.
TEST(MsrpMessageStore, AddedRowsSurviveTheWriterBeingKilled)
{
    TempDir dir;
    auto path = dir.file("im.db");
    open_store(path).reset();
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto store = SqliteMessageStore::open(path);
        if (!store.ok() || !store.value()->add(sample("killed", "m1", "kept")).ok()) ::_exit(1);
        ::kill(::getpid(), SIGKILL);
        ::_exit(2);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    auto reader = SqliteMessageStore::open(path);
    ASSERT_TRUE(reader.ok());
    auto rows = reader.value()->list_session("killed");
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows.value().size(), 1u);
    EXPECT_EQ(rows.value()[0].body, "kept");
}

}  // namespace

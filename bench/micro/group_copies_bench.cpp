// The IM server's own work per copy of a group MESSAGE (issue 4), without
// Kamailio: im_controlling's exploder and im_participating's terminating
// checks through the same C doors the modules use, over a SQLite database
// and a shared registration cache, as in the reference deployment. The
// copies go to a sink that only counts them, so what is measured is our
// code; tm's cost to send a copy is the same for imc and is not in here.
//
//   build/bench/im_group_copies_bench [--benchmark_repetitions=5]
//
// Results are per copy (items/s = copies/s of one core).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "controlling_api.h"
#include "im/shared/test_shm.hpp"
#include "im/store/schema.hpp"
#include "im/store/sqlite.hpp"
#include "participating_api.h"

namespace {

constexpr const char *kTrustedCore = "127.0.0.1:5060";
constexpr const char *kGroup = "sip:bench@example.com";
constexpr const char *kSender = "sip:sender@example.com";

im_str_t str(const std::string &s) { return {s.data(), static_cast<int>(s.size())}; }
im_str_t str(const char *s) { return {s, static_cast<int>(std::char_traits<char>::length(s))}; }

[[noreturn]] void fail(const std::string &what) { throw std::runtime_error(what); }

// A temporary database with both modules' tables (sql/), removed at the end.
class TempDatabase {
public:
    TempDatabase()
    {
        char dir[] = "/tmp/im-bench-XXXXXX";
        if (mkdtemp(dir) == nullptr) fail("mkdtemp");
        dir_ = dir;
        url_ = "sqlite://" + dir_ + "/im.db";
        im::store::SqliteDatabase db(dir_ + "/im.db");
        for (const char *module : {"im_participating", "im_controlling"})
            im::store::apply_schema_file(db, std::string(IM_SOURCE_DIR) + "/sql/" + module + "-create.sql");
    }
    ~TempDatabase()
    {
        for (const char *suffix : {"", "-wal", "-shm", "-journal"}) unlink((dir_ + "/im.db" + suffix).c_str());
        rmdir(dir_.c_str());
    }
    const std::string &url() const { return url_; }

private:
    std::string dir_;
    std::string url_;
};

// The IM server of the reference deployment, one worker process: both
// modules open over one database, the recipients registered through the
// third-party REGISTER the core sends, a pre-defined group of them all.
class GroupServer {
public:
    explicit GroupServer(int members)
    {
        char err[512] = "";
        participating_shared_ = im_participating_shared_create(&im::shared::test_shm_ops(), 65536, err, sizeof(err));
        if (participating_shared_ == nullptr) fail(err);
        controlling_shared_ = im_controlling_shared_create(&im::shared::test_shm_ops(), err, sizeof(err));
        if (controlling_shared_ == nullptr) fail(err);

        im_participating_params_t pp{};
        pp.db_url = db_.url().c_str();
        pp.trusted_core = kTrustedCore;
        pp.server_uri = "sip:127.0.0.1:5070";
        pp.conference_factory_uri = "sip:conference-factory@example.com";
        pp.deferred_uri = "sip:Deferred@example.com";
        pp.history_uri = "sip:history@example.com";
        pp.user_cache = 65536;
        participating_ = im_participating_open(&pp, participating_shared_, err, sizeof(err));
        if (participating_ == nullptr) fail(err);

        im_controlling_params_t cp{};
        cp.db_url = db_.url().c_str();
        cp.trusted_core = kTrustedCore;
        cp.conference_factory_uri = "sip:conference-factory@example.com";
        cp.uri_list_service = 1;
        cp.max_recipients = members + 1;
        cp.delivery_proxy = "sip:127.0.0.1:5062";
        cp.group_cache = 4096;
        controlling_ = im_controlling_open(&cp, controlling_shared_, err, sizeof(err));
        if (controlling_ == nullptr) fail(err);

        char out[4096];
        if (im_controlling_group_create(controlling_, kGroup, "Bench", out, sizeof(out)) < 0) fail(out);
        add_member(kSender);
        register_user(kSender);
        for (int i = 1; i <= members; ++i) {
            const std::string member = "sip:member" + std::to_string(i) + "@example.com";
            add_member(member);
            register_user(member);
        }
        checks_.check_copies = &GroupServer::check_copies;
        current_ = this;
    }
    ~GroupServer()
    {
        current_ = nullptr;
        im_controlling_close(controlling_);
        im_participating_close(participating_);
        im_controlling_shared_destroy(controlling_shared_);
        im_participating_shared_destroy(participating_shared_);
    }
    GroupServer(const GroupServer &) = delete;
    GroupServer &operator=(const GroupServer &) = delete;

    // One group MESSAGE from the sender, as the core relays it; returns the
    // copies delivered (checked here and passed).
    int send_group_message()
    {
        im_sip_request_t req{};
        req.method = str("MESSAGE");
        req.request_uri = str(kGroup);
        req.from_uri = str("<sip:sender@example.com>;tag=17e38db1");
        req.to_uri = str("<sip:bench@example.com>");
        req.call_id = str("31f3215707e420dc-31369@127.0.0.1");
        req.content_type = str("text/plain");
        req.body = str("message 1 from sender to bench");
        req.asserted_identity[0] = str("<sip:sender@example.com>");
        req.asserted_identity_count = 1;
        req.accept_contact[0] = str("*;+g.oma.sip-im;require;explicit");
        req.accept_contact_count = 1;
        req.source_ip = str("127.0.0.1");
        req.source_port = 5060;
        req.transport = str("udp");
        im_action_t action;
        int copies = 0;
        delivered_ = 0;
        if (im_controlling_group_message(controlling_, &req, &action, &checks_, &GroupServer::count_copy, this,
                                         &copies) != 0 ||
            action.reply_code != 202)
            fail("group MESSAGE not accepted: " + std::to_string(action.reply_code) + " " + action.reply_reason);
        return delivered_;
    }

private:
    void add_member(const std::string &uri)
    {
        char out[4096];
        if (im_controlling_member_add(controlling_, kGroup, uri.c_str(), nullptr, nullptr, out, sizeof(out)) < 0)
            fail(out);
    }

    // The core's third-party REGISTER for a user (etc/sip-core.cfg).
    void register_user(const std::string &aor)
    {
        im_sip_request_t req{};
        req.method = str("REGISTER");
        req.request_uri = str("sip:127.0.0.1:5070");
        req.from_uri = str("<sip:scscf@example.com>");
        const std::string to = "<" + aor + ">";
        req.to_uri = str(to);
        req.contact = str("<sip:127.0.0.1:5060>");
        req.expires = str("3600");
        req.has_expires = 1;
        req.source_ip = str("127.0.0.1");
        req.source_port = 5060;
        req.transport = str("udp");
        im_action_t action;
        im_registration_change_t change = IM_REG_NONE;
        if (im_participating_register(participating_, &req, &action, &change) != 0 || action.reply_code != 200)
            fail("REGISTER for " + aor + ": " + std::to_string(action.reply_code));
    }

    static int check_copies(const im_sip_request_t *req, const im_str_t *recipients, int count,
                            im_copy_verdict_t *verdicts)
    {
        return im_participating_check_copies(current_->participating_, req, recipients, count, verdicts);
    }

    static int count_copy(void *ctx, const im_copy_t *copy)
    {
        auto *self = static_cast<GroupServer *>(ctx);
        if (copy->fate == IM_COPY_DELIVER) ++self->delivered_;
        benchmark::DoNotOptimize(copy->headers.s);
        return 0;
    }

    static GroupServer *current_;  // im_request_checks_t has no context pointer
    TempDatabase db_;
    im_participating_shared_t *participating_shared_ = nullptr;
    im_controlling_shared_t *controlling_shared_ = nullptr;
    im_participating_t *participating_ = nullptr;
    im_controlling_t *controlling_ = nullptr;
    im_request_checks_t checks_{};
    int delivered_ = 0;
};

GroupServer *GroupServer::current_ = nullptr;

// A group MESSAGE to a pre-defined group, every member registered: each
// copy passes its recipient's terminating checks and is delivered.
void BM_GroupMessageCopies(benchmark::State &state)
{
    const int members = static_cast<int>(state.range(0));
    GroupServer server(members);
    if (server.send_group_message() != members) {  // warms the caches, and checks the setup
        state.SkipWithError("not every member got a copy");
        return;
    }
    std::int64_t copies = 0;
    for (auto _ : state) copies += server.send_group_message();
    state.SetItemsProcessed(copies);
    // Seconds per copy, printed with an SI prefix ("1.2u" is 1.2 us).
    state.counters["per_copy"] =
        benchmark::Counter(static_cast<double>(copies), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_GroupMessageCopies)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// The extern "C" door of im_controlling: converts, calls the core, and never
// lets an exception out into Kamailio.
#include "controlling_api.h"

#include <memory>
#include <string>

#include "api_support.hpp"
#include "im/bridge.hpp"
#include "im/clock.hpp"
#include "im/controlling/conference_focus.hpp"
#include "im/controlling/pager_exploder.hpp"
#include "im/controlling/recipient_checks.hpp"
#include "im/controlling/relay_switch.hpp"
#include "im/service/database.hpp"
#include "im/shared/shared_counter.hpp"
#include "im/sip/uri.hpp"
#include "im/store/cached_group_store.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite_conference_store.hpp"
#include "im/store/sqlite_group_store.hpp"

namespace {

using im::module::admin;
using im::module::required_aor;
using im::module::text;

im::controlling::ControllingConfig make_config(const im_controlling_params_t &params)
{
    im::controlling::ControllingConfig config;
    config.identity = im::module::identity_policy(params.trusted_core, params.identity_from_header);
    auto factory = im::sip::aor_of(text(params.conference_factory_uri));
    if (!factory) throw std::invalid_argument("conference_factory_uri is no SIP URI");
    config.conference_factory = *factory;
    config.uri_list_service = params.uri_list_service != 0;
    if (params.max_recipients > 0) config.max_recipients = static_cast<std::size_t>(params.max_recipients);
    return config;
}

// True when copies are checked here: delivery_proxy is set (and a SIP URI).
bool check_copies_here(const char *delivery_proxy)
{
    const std::string value = text(delivery_proxy);
    if (value.empty()) return false;
    if (!im::sip::parse_uri(value))
        throw std::invalid_argument("delivery_proxy must be a SIP URI like sip:127.0.0.1:5062, not " + value);
    return true;
}

im::controlling::FocusConfig make_focus_config(const im_controlling_params_t &params,
                                               const im::controlling::ControllingConfig &controlling)
{
    im::controlling::FocusConfig config;
    config.conference_factory = controlling.conference_factory;
    if (params.session_expires < 90) throw std::invalid_argument("session_expires must be at least 90 (RFC 4028)");
    if (params.remaining_participants < 0 || params.remaining_participants > 1)
        throw std::invalid_argument("remaining_participants must be 0 or 1");
    config.session_expires = params.session_expires;
    config.remaining_participants = params.remaining_participants;
    return config;
}

im_str_t str_of(std::string_view s) { return {s.data(), static_cast<int>(s.size())}; }

// The recipients' terminating checks through the participating module (C
// door), one call for all the copies of a group MESSAGE: they differ only in
// their recipient, so the request the checks see is built once. The buffers
// keep their capacity from one group MESSAGE to the next.
class RecipientChecker {
public:
    // Asks about every copy; verdict_for(i, copies[i]) then applies the
    // answer on copy i, until the next check().
    void check(const im_request_checks_t &checks, const std::vector<im::controlling::OutgoingMessage> &copies,
               const im::Originator &originator)
    {
        im::controlling::CopyRequestStorage storage;
        const im_sip_request_t request =
            im::bridge::to_c_request(im::controlling::terminating_view(copies.front(), originator, storage));
        recipients_.clear();
        for (const auto &copy : copies) recipients_.push_back(str_of(copy.request_uri));
        // Undecided unless the checks answer: a copy is never sent unchecked.
        verdicts_.resize(copies.size());
        for (auto &v : verdicts_) im::bridge::CopyVerdicts::write_internal_error(&v);
        checks.check_copies(&request, recipients_.data(), static_cast<int>(recipients_.size()), verdicts_.data());
    }

    // Views into `copy` and the answer, valid until the next check().
    im::controlling::CheckedCopy verdict_for(std::size_t i, const im::controlling::OutgoingMessage &copy) const
    {
        return im::controlling::checked_copy(copy, verdicts_.at(i));
    }

private:
    std::vector<im_str_t> recipients_;
    std::vector<im_copy_verdict_t> verdicts_;
};

im_copy_fate_t c_fate(im::controlling::CopyFate fate)
{
    switch (fate) {
    case im::controlling::CopyFate::deliver: return IM_COPY_DELIVER;
    case im::controlling::CopyFate::refuse: return IM_COPY_REFUSED;
    case im::controlling::CopyFate::check_remote: break;
    }
    return IM_COPY_CHECK_REMOTE;
}

std::string group_text(const im::store::Group &g, bool with_members)
{
    std::string t = "uri: " + g.uri + "\ndisplay_name: " + g.display_name +
                    "\nmax_participants: " + (g.max_participants ? std::to_string(*g.max_participants) : "none") +
                    "\nanonymity_allowed: " + (g.anonymity_allowed ? "1" : "0") +
                    "\nauto_release: " + (g.auto_release ? "1" : "0") + "\nrules: " + im::store::rules_to_text(g.rules);
    if (with_members)
        for (const auto &m : g.members)
            t += "\nmember: " + m.uri + " " + m.role + (m.nickname.empty() ? "" : " \"" + m.nickname + "\"");
    return t;
}

}  // namespace

struct im_controlling_shared {
    std::optional<im::shared::SharedCounter> group_generation;
};

namespace {

// The groups as this process reads and changes them: SQLite, behind this
// process's cache when there is a shared generation to keep it current.
class GroupStores {
public:
    GroupStores(im::store::SqliteDatabase &db, im_controlling_shared *shared, int cache_size) : database_(db)
    {
        if (shared && shared->group_generation && cache_size > 0)
            cached_.emplace(database_, *shared->group_generation, static_cast<std::size_t>(cache_size));
    }
    im::store::GroupStore &store() { return cached_ ? static_cast<im::store::GroupStore &>(*cached_) : database_; }

private:
    im::store::SqliteGroupStore database_;
    std::optional<im::store::CachedGroupStore> cached_;
};

}  // namespace

struct im_controlling {
    im_controlling(const im_controlling_params_t &params, im_controlling_shared *shared)
        : config(make_config(params)),
          check_here(check_copies_here(params.delivery_proxy)),
          db(im::service::open_module_database(text(params.db_url), im::store::kControllingTables)),
          stores(db, shared, params.group_cache),
          groups(stores.store()),
          conferences(db),
          conference_switch(text(params.relay_control_socket), std::chrono::milliseconds(params.relay_timeout_ms)),
          focus(make_focus_config(params, config), config.identity, groups, conferences, conference_switch, clock),
          exploder(config, groups, &focus)
    {
    }

    im::controlling::ControllingConfig config;
    bool check_here;  // delivery_proxy set: copies to users served here are checked here
    im::store::SqliteDatabase db;
    GroupStores stores;
    im::store::GroupStore &groups;
    im::store::SqliteConferenceStore conferences;
    im::controlling::RelaySwitch conference_switch;
    im::SystemClock clock;
    im::controlling::ConferenceFocus focus;
    // Declared after the focus, which tells it who is in a session.
    im::controlling::PagerExploder exploder;
    RecipientChecker recipient_checker;
    std::string headers;  // the header block of the copy being sent
};

namespace {

void write_focus_reply(const im::Action &action, const std::string &body, im_focus_reply_t *out)
{
    if (body.size() >= sizeof out->body) throw std::length_error("SDP answer too long");
    im::bridge::write_action(action, &out->action);
    im::bridge::copy_text(body, out->body, sizeof out->body);
}

// Runs a focus door through im::module::guarded: what f returns, or -1
// with out a 500 whose body is the reason (for the glue's log line).
template <typename F>
int focus_door(im_focus_reply_t *out, F &&f)
{
    *out = im_focus_reply_t{};
    char reason[512];
    const int rc = im::module::guarded(reason, sizeof reason, -1, f);
    if (rc == -1) {
        *out = im_focus_reply_t{};
        im::bridge::write_internal_error(&out->action);
        im::bridge::copy_text(reason, out->body, sizeof out->body);
    }
    return rc;
}

void send_byes(const std::vector<im::controlling::ByeOrder> &byes, im_focus_bye_f bye, void *ctx)
{
    for (const auto &order : byes) {
        const auto &p = order.participant;
        const auto &d = p.dialog;
        const im_focus_bye_t out{p.conference.c_str(), p.identity.c_str(),
                                 {d.call_id.c_str(), d.local_tag.c_str(), d.remote_tag.c_str(), d.local_uri.c_str(),
                                  d.remote_uri.c_str(), d.remote_target.c_str(), d.route_set.c_str(),
                                  d.socket.c_str(), static_cast<int>(order.cseq)}};
        bye(ctx, &out);
    }
}

}  // namespace

extern "C" {

int im_controlling_check(const im_controlling_params_t *params, char *err, size_t err_size)
{
    return im::module::guarded(err, err_size, -1, [&] {
        im_controlling probe(*params, nullptr);
        return 0;
    });
}

im_controlling_shared_t *im_controlling_shared_create(const im_shm_ops_t *ops, char *err, size_t err_size)
{
    return im::module::guarded(err, err_size, nullptr, [&]() -> im_controlling_shared_t * {
        auto shared = std::make_unique<im_controlling_shared>();
        shared->group_generation = im::shared::SharedCounter::create(im::shared::SharedMemory(*ops));
        if (!shared->group_generation) {
            im::bridge::copy_text("not enough shared memory for the group generation", err, err_size);
            return nullptr;
        }
        return shared.release();
    });
}

void im_controlling_shared_destroy(im_controlling_shared_t *shared)
{
    std::unique_ptr<im_controlling_shared> owned(shared);
    if (owned && owned->group_generation) owned->group_generation->destroy();
}

im_controlling_t *im_controlling_open(const im_controlling_params_t *params, im_controlling_shared_t *shared, char *err,
                                      size_t err_size)
{
    return im::module::guarded(err, err_size, nullptr,
                               [&] { return std::make_unique<im_controlling>(*params, shared).release(); });
}

void im_controlling_close(im_controlling_t *c) { std::unique_ptr<im_controlling> owned(c); }

int im_controlling_owns(im_controlling_t *c, const im_sip_request_t *req)
{
    try {
        const auto request_uri = im::bridge::to_request(*req).request_uri;
        return c->exploder.owns(request_uri) || c->focus.session_of(request_uri) ? 1 : 0;
    } catch (...) {
        return -1;
    }
}

int im_controlling_group_message(im_controlling_t *c, const im_sip_request_t *req, im_action_t *action,
                                 const im_request_checks_t *checks, im_copy_sink_f sink, void *sink_ctx, int *copies)
{
    *copies = 0;
    try {
        auto outcome = c->exploder.handle(im::bridge::to_request(*req));
        const bool check_here = checks != nullptr && checks->check_copies != nullptr && c->check_here &&
                                outcome.originator && !outcome.copies.empty();
        // Every check first, then the sending: the checks' database snapshot
        // is not held while tm sends.
        if (check_here) c->recipient_checker.check(*checks, outcome.copies, *outcome.originator);
        int failed = 0;
        for (std::size_t i = 0; i < outcome.copies.size(); ++i) {
            const auto &m = outcome.copies[i];
            const auto checked = check_here ? c->recipient_checker.verdict_for(i, m) : im::controlling::unchecked(m);
            // One header block per copy in a buffer that keeps its capacity.
            c->headers.assign(m.content->headers).append(checked.extra_headers);
            const im_copy_t out{str_of(checked.request_uri), str_of(m.content->from), str_of(m.to), str_of(c->headers),
                                str_of(m.content->body), c_fate(checked.fate), checked.refusal.code,
                                checked.refusal.reason.c_str(), static_cast<im_rejection_t>(checked.refusal.rejection)};
            if (sink(sink_ctx, &out) < 0) ++failed;
            ++*copies;
        }
        im::bridge::write_action(outcome.action, action);
        return failed;
    } catch (...) {
        im::bridge::write_internal_error(action);
        return -1;
    }
}

int im_controlling_focus_uri(im_controlling_t *c, const im_sip_request_t *req)
{
    try {
        return c->focus.session_of(im::bridge::to_request(*req).request_uri) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

int im_controlling_focus_invite(im_controlling_t *c, const im_sip_request_t *req, const im_focus_invite_t *invite,
                                im_focus_reply_t *out)
{
    return focus_door(out, [&] {
        im::controlling::InviteContext context;
        context.local_tag = text(invite->local_tag);
        context.remote_tag = text(invite->remote_tag);
        context.route_set = text(invite->route_set);
        context.remote_target = text(invite->remote_target);
        context.socket = text(invite->socket);
        context.focus_address = text(invite->focus_address);
        context.timer_supported = invite->timer_supported != 0;
        try {
            auto outcome = c->focus.join(im::bridge::to_request(*req), context);
            write_focus_reply(outcome.action, outcome.sdp_answer, out);
            im::bridge::copy_text(outcome.conference, out->conference, sizeof out->conference);
        } catch (const im::controlling::SwitchError &e) {
            *out = im_focus_reply_t{};
            out->switch_failed = 1;
            im::bridge::write_action(im::Action::reply(im::Verdict::reply(503, "Service Unavailable")), &out->action);
            im::bridge::copy_text(e.what(), out->body, sizeof out->body);  // the reason, for the log
        }
        return 0;
    });
}

int im_controlling_focus_dialog(im_controlling_t *c, const im_sip_request_t *req, im_focus_reply_t *out,
                                im_focus_bye_f bye, void *bye_ctx)
{
    return focus_door(out, [&] {
        auto outcome = c->focus.in_dialog(im::bridge::to_request(*req));
        write_focus_reply(outcome.action, outcome.body, out);
        out->session_ended = outcome.session_ended ? 1 : 0;
        send_byes(outcome.byes, bye, bye_ctx);
        return static_cast<int>(outcome.byes.size());
    });
}

int im_controlling_focus_watch(im_controlling_t *c, im_focus_bye_f bye, void *bye_ctx, char *err, size_t err_size)
{
    if (err_size) err[0] = '\0';
    return im::module::guarded(err, err_size, -1, [&] {
        try {
            auto byes = c->focus.end_lost_sessions();
            send_byes(byes, bye, bye_ctx);
            return static_cast<int>(byes.size());
        } catch (const im::controlling::SwitchError &e) {
            im::bridge::copy_text(e.what(), err, err_size);
            return -2;
        }
    });
}

int im_controlling_group_create(im_controlling_t *c, const char *uri, const char *display_name, char *out,
                                size_t out_size)
{
    return admin(out, out_size, [&] {
        im::store::Group g;
        g.uri = required_aor(uri);
        g.display_name = text(display_name);
        g.created_at = static_cast<std::int64_t>(time(nullptr));
        c->groups.create(g);
        return group_text(g, false);
    });
}

int im_controlling_group_delete(im_controlling_t *c, const char *uri, im_focus_bye_f bye, void *bye_ctx,
                                int *session_released, char *out, size_t out_size)
{
    *session_released = 0;
    return admin(out, out_size, [&] {
        const std::string key = required_aor(uri);
        if (!c->groups.remove(key)) throw std::invalid_argument("no group " + key);
        std::string result = "deleted: " + key;
        // After the group is gone: nobody joins the session meanwhile.
        auto byes = c->focus.end_group_session(key);
        if (!byes.empty()) {
            *session_released = 1;
            send_byes(byes, bye, bye_ctx);
            result += "\nsession released: " + byes.front().participant.conference + ", " +
                      std::to_string(byes.size()) + " BYEs";
        }
        return result;
    });
}

int im_controlling_group_show(im_controlling_t *c, const char *uri, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string key = required_aor(uri);
        auto g = c->groups.find(key);
        if (!g) throw std::invalid_argument("no group " + key);
        return group_text(*g, true);
    });
}

int im_controlling_group_list(im_controlling_t *c, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        std::string t;
        for (const auto &g : c->groups.list()) t += "group: " + g.uri + (g.display_name.empty() ? "" : " \"" + g.display_name + "\"") + "\n";
        return t.empty() ? std::string("no groups") : t;
    });
}

int im_controlling_group_set(im_controlling_t *c, const char *uri, const char *attribute, const char *value,
                             char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string key = required_aor(uri);
        auto g = c->groups.find(key);
        if (!g) throw std::invalid_argument("no group " + key);
        const std::string a = text(attribute), v = text(value);
        auto who = [&] {
            auto w = im::store::parse_who(v);
            if (!w) throw std::invalid_argument("expected nobody, owner, members or anyone");
            return *w;
        };
        if (a == "display_name") g->display_name = v;
        else if (a == "max_participants") g->max_participants = v == "none" ? std::nullopt : std::optional<int>(std::stoi(v));
        else if (a == "anonymity_allowed") g->anonymity_allowed = im::module::parse_flag(value, "anonymity_allowed");
        else if (a == "auto_release") g->auto_release = im::module::parse_flag(value, "auto_release");
        else if (a == "invite_members") g->rules.invite_members = im::module::parse_flag(value, "invite_members");
        else if (a == "may_send_pager") g->rules.may_send_pager = who();
        else if (a == "may_join") g->rules.may_join = who();
        else if (a == "may_initiate_session") g->rules.may_initiate_session = who();
        else if (a == "may_add_users") g->rules.may_add_users = who();
        else throw std::invalid_argument("unknown attribute " + a);
        c->groups.update(*g);
        return group_text(*g, false);
    });
}

int im_controlling_member_add(im_controlling_t *c, const char *group, const char *member, const char *nickname,
                              const char *role, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string key = required_aor(group);
        im::store::GroupMember m;
        m.uri = required_aor(member);
        m.nickname = text(nickname);
        m.role = role && *role ? text(role) : "participant";
        if (m.role != "owner" && m.role != "participant") throw std::invalid_argument("role is owner or participant");
        if (!c->groups.add_member(key, m)) throw std::invalid_argument("no group " + key);
        return "group: " + key + "\nmember: " + m.uri + " " + m.role;
    });
}

int im_controlling_member_remove(im_controlling_t *c, const char *group, const char *member, char *out,
                                 size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string key = required_aor(group), who = required_aor(member);
        if (!c->groups.remove_member(key, who)) throw std::invalid_argument(who + " is not in " + key);
        return "removed: " + who + " from " + key;
    });
}

}  // extern "C"

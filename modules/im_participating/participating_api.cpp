// The extern "C" door of im_participating: converts, calls the core, and
// never lets an exception out into Kamailio.
#include "participating_api.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>

#include "api_support.hpp"
#include "im/bridge.hpp"
#include "im/clock.hpp"
#include "im/participating/originating.hpp"
#include "im/participating/media_anchor.hpp"
#include "im/participating/presence_watch.hpp"
#include "im/participating/registration.hpp"
#include "im/participating/settings_defaults.hpp"
#include "im/participating/session_media.hpp"
#include "im/participating/settings_publish.hpp"
#include "im/participating/terminating.hpp"
#include "im/service/database.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/shared/shared_counter.hpp"
#include "im/store/cached_registration_store.hpp"
#include "im/store/row_cache.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite_access_rule_store.hpp"
#include "im/store/sqlite_policy_store.hpp"
#include "im/store/sqlite_registration_store.hpp"
#include "im/store/sqlite_settings_store.hpp"
#include "im/store/sqlite_user_rows.hpp"
#include "im/store/sqlite_willingness_store.hpp"
#include "im/xml/im_presence.hpp"

namespace {

using im::module::admin;
using im::module::guarded;
using im::module::parse_flag;
using im::module::required_aor;
using im::module::text;

im::participating::Config make_config(const im_participating_params_t &params)
{
    im::participating::Config config;
    config.identity = im::module::identity_policy(params.trusted_core, params.identity_from_header);
    config.server_uri = text(params.server_uri);
    if (!im::sip::parse_uri(config.server_uri)) throw std::invalid_argument("server_uri is no SIP URI: " + config.server_uri);
    for (const char *uri : {params.conference_factory_uri, params.deferred_uri, params.history_uri}) {
        if (!uri || !*uri) continue;
        auto aor = im::sip::aor_of(uri);
        if (!aor) throw std::invalid_argument(std::string("not a SIP URI: ") + uri);
        config.controlling_uris.push_back(*aor);
    }
    return config;
}

}  // namespace

struct im_participating_shared {
    std::optional<im::store::RegistrationCache> registrations;
    // Moved by every write to a user table, so that each worker's RowCache
    // of that table drops its rows (im/store/row_cache.hpp).
    std::optional<im::shared::SharedCounter> settings_generation;
    std::optional<im::shared::SharedCounter> policy_generation;
    std::optional<im::shared::SharedCounter> access_generation;
    std::optional<im::shared::SharedCounter> willingness_generation;

    auto generations() { return std::array{&settings_generation, &policy_generation, &access_generation, &willingness_generation}; }
};

namespace {

// The registration store every procedure uses: the database, behind the
// shared cache when there is one.
class RegistrationStores {
public:
    RegistrationStores(im::store::SqliteDatabase &db, im_participating_shared *shared) : database_(db)
    {
        if (shared && shared->registrations) cached_.emplace(database_, *shared->registrations);
    }
    im::store::RegistrationStore &store()
    {
        return cached_ ? static_cast<im::store::RegistrationStore &>(*cached_) : database_;
    }

private:
    im::store::SqliteRegistrationStore database_;
    std::optional<im::store::CachedRegistrationStore> cached_;
};

}  // namespace

namespace {

// A user table's row cache: kept between requests when the workers share
// the table's generation.
im::store::RowCacheConfig row_cache(const im_participating_params_t &params,
                                    std::optional<im::shared::SharedCounter> *generation)
{
    im::store::RowCacheConfig config;
    config.generation = generation && *generation ? &**generation : nullptr;
    config.max_rows = params.user_cache > 0 ? static_cast<std::size_t>(params.user_cache) : 0;
    return config;
}

}  // namespace

// The per-process service: configuration, database connection, procedures.
struct im_participating {
    im_participating(const im_participating_params_t &params, im_participating_shared *shared)
        : config(make_config(params)),
          db(im::service::open_module_database(text(params.db_url), im::store::kParticipatingTables)),
          stores(db, shared),
          registrations(stores.store()),
          settings(db, im::store::system_random_bits(), row_cache(params, shared ? &shared->settings_generation : nullptr)),
          policies(db, row_cache(params, shared ? &shared->policy_generation : nullptr)),
          access_rules(db, row_cache(params, shared ? &shared->access_generation : nullptr)),
          willingness(db, row_cache(params, shared ? &shared->willingness_generation : nullptr)),
          user_rows(db, {settings, policies, access_rules, willingness}),
          registration(registrations, clock, config.identity,
                       {params.default_expires > 0 ? params.default_expires : 3600,
                        params.max_expires > 0 ? params.max_expires : 86400}),
          originating(config, policies, settings, clock),
          terminating(config, {registrations, settings, policies, access_rules, willingness}, clock),
          presence_notify(config, willingness, clock),
          settings_publish(config, settings, clock)
    {
    }

    im::participating::Config config;
    im::SystemClock clock;
    im::store::SqliteDatabase db;
    RegistrationStores stores;
    im::store::RegistrationStore &registrations;
    im::store::SqliteSettingsStore settings;
    im::store::SqlitePolicyStore policies;
    im::store::SqliteAccessRuleStore access_rules;
    im::store::SqliteWillingnessStore willingness;
    im::store::SqliteUserRows user_rows;  // the copy checks' batch reads of the four stores above
    im::participating::RegistrationProcedure registration;
    im::participating::OriginatingProcedure originating;
    im::participating::TerminatingProcedure terminating;
    im::participating::PresenceNotifyProcedure presence_notify;
    im::participating::SettingsPublishProcedure settings_publish;
    im::bridge::CopyVerdicts copy_verdicts;  // what the last im_participating_check_copies answered
    // The recipients' AORs of the copies being checked (empty: no SIP URI;
    // delivered verdicts point into them until the next batch), and those
    // to read (the non-empty ones): kept with their capacity from one group
    // MESSAGE to the next.
    std::vector<std::string> copy_aors;
    std::vector<std::string> copy_prefetch;
    // The originator of the last copy checked, by the identity and privacy
    // texts it came from: the copies of one group MESSAGE share it.
    struct CopyOriginator {
        std::string identity;
        std::string privacy;
        std::optional<im::Originator> originator;
    };
    std::optional<CopyOriginator> copy_originator;
};

namespace {

template <typename Procedure>
int run(const im_sip_request_t *req, im_action_t *action, Procedure &&procedure)
{
    try {
        im::bridge::write_action(procedure(im::bridge::to_request(*req)), action);
        return 0;
    } catch (...) {
        im::bridge::write_internal_error(action);
        return -1;
    }
}

}  // namespace

namespace {

std::string tristate(const std::optional<bool> &v) { return v ? (*v ? "true" : "false") : "not set"; }

std::string policy_text(const im::store::Policy &policy)
{
    std::string types = "inherit";
    if (policy.content_types) {
        types.clear();
        for (const auto &t : *policy.content_types) types += (types.empty() ? "" : ",") + t;
        if (types.empty()) types = "none";
    }
    return "im_allowed: " + std::string(policy.im_allowed ? "1" : "0") +
           "\nmax_size: " + (policy.max_size ? std::to_string(*policy.max_size) : "inherit") +
           "\ncontent_types: " + types + "\nanonymity_allowed: " + (policy.anonymity_allowed ? "1" : "0") +
           "\ngroup_advertisement_allowed: " + (policy.group_advertisement_allowed ? "1" : "0");
}

}  // namespace

namespace {

// The originator of a copy: its first P-Asserted-Identity, parsed once for
// all the copies of one group MESSAGE (they share it).
const std::optional<im::Originator> &copy_originator(im_participating &p, const im::sip::Request &request)
{
    const std::string_view identity =
        request.asserted_identities.empty() ? std::string_view() : request.asserted_identities.front();
    auto &known = p.copy_originator;
    if (!known || known->identity != identity || known->privacy != request.privacy) {
        std::optional<im::Originator> originator;
        if (auto aor = identity.empty() ? std::nullopt : im::sip::aor_of(identity))
            originator = im::Originator{std::move(*aor), im::privacy_requested(request.privacy)};
        known = {std::string(identity), std::string(request.privacy), std::move(originator)};
    }
    return known->originator;
}

// One batch of copy checks: the recipients' rows of the four user tables,
// each found once in the caches and read, when some are missing, in one
// database snapshot (store::SqliteUserRows), begun by the batch's first
// read, which the checks' registration reads share. rows() are the k-th
// recipient's with an AOR; none when the reads failed: every check then
// reads on its own.
class CopyCheckBatch {
public:
    CopyCheckBatch(im_participating &p, const std::vector<std::string> &aors)
    {
        try {
            // Assigned into the strings already there: no allocation once
            // they are long enough.
            auto &wanted = p.copy_prefetch;
            std::size_t count = 0;
            for (const auto &aor : aors) {
                if (aor.empty()) continue;
                if (count == wanted.size()) wanted.emplace_back();
                wanted[count++] = aor;
            }
            wanted.resize(count);
            p.registrations.prefetch(wanted);  // shared memory: starts the loads, reads nothing
            rows_.emplace(p.user_rows, wanted);
        } catch (...) {
            // no rows: the checks read the stores one by one
        }
    }
    CopyCheckBatch(const CopyCheckBatch &) = delete;
    CopyCheckBatch &operator=(const CopyCheckBatch &) = delete;

    const im::store::SqliteUserRows::Batch *rows() const { return rows_ ? &*rows_ : nullptr; }

private:
    std::optional<im::store::SqliteUserRows::Batch> rows_;
};

}  // namespace

extern "C" {

int im_participating_check(const im_participating_params_t *params, char *err, size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        im_participating probe(*params, nullptr);
        return 0;
    });
}

im_participating_shared_t *im_participating_shared_create(const im_shm_ops_t *ops, int max_registrations, char *err,
                                                          size_t err_size)
{
    return guarded(err, err_size, nullptr, [&]() -> im_participating_shared_t * {
        auto shared = std::make_unique<im_participating_shared>();
        if (max_registrations > 0) {
            // About four entries per bucket keeps chains short at the configured size.
            const auto buckets = static_cast<std::size_t>(std::max(16, max_registrations / 4));
            shared->registrations = im::store::RegistrationCache::create(
                im::shared::SharedMemory(*ops), buckets, static_cast<std::size_t>(max_registrations));
            if (!shared->registrations) {
                im::bridge::copy_text("not enough shared memory for the registration cache", err, err_size);
                return nullptr;
            }
        }
        for (auto *generation : shared->generations()) {
            *generation = im::shared::SharedCounter::create(im::shared::SharedMemory(*ops));
            if (!*generation) {
                im_participating_shared_destroy(shared.release());
                im::bridge::copy_text("not enough shared memory for the user tables' generations", err, err_size);
                return nullptr;
            }
        }
        return shared.release();
    });
}

void im_participating_shared_destroy(im_participating_shared_t *shared)
{
    std::unique_ptr<im_participating_shared> owned(shared);
    if (!owned) return;
    if (owned->registrations) owned->registrations->destroy();
    for (auto *generation : owned->generations())
        if (*generation) (*generation)->destroy();
}

im_participating_t *im_participating_open(const im_participating_params_t *params, im_participating_shared_t *shared,
                                          char *err, size_t err_size)
{
    return guarded(err, err_size, nullptr,
                   [&] { return std::make_unique<im_participating>(*params, shared).release(); });
}

void im_participating_close(im_participating_t *p) { std::unique_ptr<im_participating> owned(p); }

int im_participating_register(im_participating_t *p, const im_sip_request_t *req, im_action_t *action,
                              im_registration_change_t *change)
{
    *change = IM_REG_NONE;
    return run(req, action, [&](const im::sip::Request &request) {
        auto outcome = p->registration.handle(request);
        using Change = im::participating::RegistrationOutcome::Change;
        switch (outcome.change) {
        case Change::Registered: *change = IM_REG_REGISTERED; break;
        case Change::Refreshed: *change = IM_REG_REFRESHED; break;
        case Change::Deregistered: *change = IM_REG_DEREGISTERED; break;
        case Change::None: break;
        }
        return outcome.action;
    });
}

int im_participating_originating(im_participating_t *p, const im_sip_request_t *req, im_action_t *action)
{
    return run(req, action, [&](const im::sip::Request &request) { return p->originating.handle(request); });
}

int im_participating_terminating(im_participating_t *p, const im_sip_request_t *req, im_action_t *action)
{
    return run(req, action, [&](const im::sip::Request &request) { return p->terminating.handle(request); });
}

int im_participating_presence_notify(im_participating_t *p, const im_sip_request_t *req, im_action_t *action)
{
    return run(req, action, [&](const im::sip::Request &request) { return p->presence_notify.handle(request); });
}

int im_participating_session_modify(im_participating_t *p, const im_sip_request_t *req, im_str_t served,
                                    im_action_t *action)
{
    return run(req, action, [&](const im::sip::Request &request) {
        const auto aor = im::sip::aor_of(std::string_view(served.s, static_cast<std::size_t>(served.len)));
        const auto policy = p->policies.effective(aor.value_or(std::string()));  // no user row for no AOR
        im::Action action;
        action.verdict = im::participating::check_session_modification(request, policy);
        return action;
    });
}

int im_participating_anchor_media(im_str_t content_type, im_str_t body, const char *relay_path, size_t *offset,
                                  size_t *length, char *out, size_t out_size, size_t *out_len, char *err,
                                  size_t err_size)
{
    return guarded(err, err_size, -1, [&] {
        auto edit = im::participating::anchor_session_body(
            std::string_view(content_type.s ? content_type.s : "", static_cast<std::size_t>(content_type.len)),
            std::string_view(body.s ? body.s : "", static_cast<std::size_t>(body.len)), text(relay_path));
        if (!edit.ok()) {
            im::bridge::copy_text(edit.error().reason, err, err_size);
            return -1;
        }
        if (!edit.value()) return 0;
        const auto &e = *edit.value();
        if (e.text.size() > out_size) {
            im::bridge::copy_text("anchored SDP larger than its buffer", err, err_size);
            return -1;
        }
        std::copy(e.text.begin(), e.text.end(), out);
        *offset = e.offset;
        *length = e.length;
        *out_len = e.text.size();
        return 1;
    });
}

int im_participating_check_copies(im_participating_t *p, const im_sip_request_t *req, const im_str_t *recipients,
                                  int count, im_copy_verdict_t *verdicts)
{
    int decided = 0;
    if (count <= 0) return 0;
    try {
        p->copy_verdicts.clear();
        im::sip::Request request = im::bridge::to_request(*req);
        const std::optional<im::Originator> &originator = copy_originator(*p, request);
        auto &aors = p->copy_aors;
        aors.resize(static_cast<std::size_t>(count));
        for (int i = 0; i < count; ++i) im::sip::aor_of(im::bridge::view(recipients[i]), aors[static_cast<std::size_t>(i)]);
        const CopyCheckBatch batch(*p, aors);
        const im::store::SqliteUserRows::Batch *rows = batch.rows();
        std::size_t next_row = 0;  // rows of the recipients with an AOR, in order
        // The copies differ only in their recipient: what depends on the
        // request alone is worked out once.
        const im::participating::DeliveryChecks checks = p->terminating.prepare_delivery(request);
        const std::string_view delivered_headers = p->copy_verdicts.keep_header_block(checks.headers);
        for (; decided < count; ++decided) {
            request.request_uri = request.to_uri = im::bridge::view(recipients[decided]);
            const std::string &aor = aors[static_cast<std::size_t>(decided)];
            const std::size_t row = aor.empty() ? 0 : next_row++;
            im_copy_verdict_t *out = &verdicts[decided];
            if (!originator) {
                p->copy_verdicts.refuse(im::Verdict::reject(im::Rejection::identity, 403, "Forbidden",
                                                            "399 IM-serv \"No Authenticated Originator's IM Address\""),
                                        out);
            } else if (aor.empty()) {
                // Answers the malformed address from the request alone: no
                // store read, which might drop the batch's rows.
                p->copy_verdicts.write(p->terminating.check_delivery(request, *originator), out);
            } else if (const auto admission = rows ? p->terminating.admit(request, checks, *originator, aor, rows->rows(row))
                                                   : p->terminating.admit(request, checks, *originator, aor);
                       admission.verdict.proceed()) {
                im::bridge::CopyVerdicts::deliver(aor, delivered_headers, out);
            } else {
                p->copy_verdicts.refuse(admission.verdict, out);
            }
        }
        return 0;
    } catch (...) {
        im_participating_copies_failed(verdicts + decided, count - decided);
        return -1;
    }
}

void im_participating_copies_failed(im_copy_verdict_t *verdicts, int count)
{
    for (int i = 0; i < count; ++i) im::bridge::CopyVerdicts::write_internal_error(&verdicts[i]);
}

int im_participating_publish_settings(im_participating_t *p, const im_sip_request_t *req, im_action_t *action)
{
    return run(req, action, [&](const im::sip::Request &request) { return p->settings_publish.handle(request); });
}

int im_participating_settings_text(im_participating_t *p, const char *aor, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string key = required_aor(aor);
        auto published = p->settings.find_active(key, p->clock.now());
        const auto e = im::participating::effective(published);
        std::string text = "aor: " + key + "\npublished: " + (published ? "yes" : "no");
        if (published) {
            text += "\netag: " + published->etag + "\nexpires_at: " + std::to_string(published->expires_at) +
                    "\nisb: " + tristate(published->settings.isb_active) +
                    "\nipab: " + tristate(published->settings.ipab_active) +
                    "\noffline_delivery: " + tristate(published->settings.offline_delivery) +
                    "\nvis_status: " + tristate(published->settings.vis_status) +
                    "\nhist: " + tristate(published->settings.hist_active);
        }
        text += std::string("\neffective_isb: ") + (e.isb ? "true" : "false") +
                "\neffective_ipab: " + (e.ipab ? "true" : "false") +
                "\neffective_offline_delivery: " + (e.offline_delivery ? "true" : "false") +
                "\neffective_visible: " + (e.visible ? "true" : "false") +
                "\neffective_hist: " + (e.hist ? "true" : "false");
        return text;
    });
}

int im_participating_policy_set(im_participating_t *p, const char *scope, const char *im_allowed, const char *max_size,
                                const char *content_types, const char *anonymity_allowed,
                                const char *group_advertisement_allowed, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string s = scope ? scope : "";
        const std::string key = s == im::store::kGlobalPolicyScope ? s : required_aor(scope);
        im::store::Policy policy;
        policy.im_allowed = parse_flag(im_allowed, "im_allowed");
        policy.anonymity_allowed = parse_flag(anonymity_allowed, "anonymity_allowed");
        if (group_advertisement_allowed && *group_advertisement_allowed)
            policy.group_advertisement_allowed = parse_flag(group_advertisement_allowed, "group_advertisement_allowed");
        const std::string size = max_size ? max_size : "-";
        if (size != "-") {
            std::size_t used = 0;
            const long long value = std::stoll(size, &used);
            if (used != size.size() || value < 0) throw std::invalid_argument("max_size must be bytes or -");
            policy.max_size = value;
        }
        const std::string types = content_types ? content_types : "-";
        if (types != "-") {
            std::vector<std::string> list;
            std::string_view rest = types;
            while (!rest.empty()) {
                const auto comma = rest.find(',');
                auto item = im::sip::trim(rest.substr(0, comma));
                if (!item.empty()) list.emplace_back(item);
                rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
            }
            policy.content_types = std::move(list);
        }
        p->policies.set(key, policy);
        return "scope: " + key + "\n" + policy_text(policy);
    });
}

int im_participating_policy_remove(im_participating_t *p, const char *scope, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string s = scope ? scope : "";
        const std::string key = s == im::store::kGlobalPolicyScope ? s : required_aor(scope);
        if (!p->policies.remove(key)) throw std::invalid_argument("no policy for " + key);
        return "removed: " + key;
    });
}

int im_participating_policy_list_text(im_participating_t *p, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        std::string text;
        for (const auto &row : p->policies.list()) text += "scope: " + row.scope + "\n" + policy_text(row.policy) + "\n";
        return text.empty() ? std::string("no policies (defaults: IM allowed, any size and type, anonymity allowed)") : text;
    });
}

int im_participating_access_set(im_participating_t *p, const char *owner, const char *peer, const char *kind,
                                const char *action, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string who = required_aor(owner);
        auto k = im::store::parse_access_kind(kind ? kind : "");
        auto a = im::store::parse_access_action(action ? action : "");
        if (!k) throw std::invalid_argument("kind must be session or pager");
        if (!a) throw std::invalid_argument("action must be allow or reject");
        const std::string pattern = im::store::normalize_peer_pattern(peer ? peer : "");
        p->access_rules.set(who, pattern, *k, *a);
        return "owner: " + who + "\npeer: " + pattern + "\nkind: " + std::string(im::store::to_string(*k)) +
               "\naction: " + std::string(im::store::to_string(*a));
    });
}

int im_participating_access_remove(im_participating_t *p, const char *owner, const char *peer, const char *kind,
                                   char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string who = required_aor(owner);
        auto k = im::store::parse_access_kind(kind ? kind : "");
        if (!k) throw std::invalid_argument("kind must be session or pager");
        const std::string pattern = im::store::normalize_peer_pattern(peer ? peer : "");
        if (!p->access_rules.remove(who, pattern, *k)) throw std::invalid_argument("no such rule");
        return "removed: " + who + " " + pattern + " " + std::string(im::store::to_string(*k));
    });
}

int im_participating_access_list_text(im_participating_t *p, const char *owner, char *out, size_t out_size)
{
    return admin(out, out_size, [&] {
        const std::string who = required_aor(owner);
        std::string text;
        for (const auto &rule : p->access_rules.list(who))
            text += "rule: " + rule.peer + " " + std::string(im::store::to_string(rule.kind)) + " " +
                    std::string(im::store::to_string(rule.action)) + "\n";
        return text.empty() ? "no rules for " + who : text;
    });
}

int im_participating_registration(im_participating_t *p, const char *aor, im_registration_info_t *out)
{
    try {
        auto key = im::sip::aor_of(text(aor));
        if (!key) return 0;
        auto reg = p->registrations.find_active(*key, p->clock.now());
        if (!reg) return 0;
        im::bridge::copy_text(reg->aor, out->aor, sizeof out->aor);
        im::bridge::copy_text(reg->contact, out->contact, sizeof out->contact);
        out->expires_at = reg->expires_at;
        out->updated_at = reg->updated_at;
        return 1;
    } catch (...) {
        return -1;
    }
}

int im_participating_availability(im_participating_t *p, const char *uri, char *aor, size_t aor_size, char *doc,
                                  size_t doc_size)
{
    try {
        auto key = im::sip::aor_of(text(uri));
        if (!key || key->size() >= aor_size) return -1;
        im::bridge::copy_text(*key, aor, aor_size);
        const std::int64_t now = p->clock.now();
        const bool open = p->registrations.is_active(*key, now) &&
                          im::participating::effective(p->settings.active_settings(*key, now)).visible;
        const std::string document = im::xml::im_availability_document(*key, open);
        if (document.size() >= doc_size) return -1;
        im::bridge::copy_text(document, doc, doc_size);
        return open ? 1 : 0;
    } catch (...) {
        return -1;
    }
}

long long im_participating_active_registrations(im_participating_t *p)
{
    try {
        return p->registrations.count_active(p->clock.now());
    } catch (...) {
        return -1;
    }
}

long long im_participating_purge_expired(im_participating_t *p, long long retention)
{
    try {
        return static_cast<long long>(p->registrations.purge_expired(p->clock.now() - retention).size());
    } catch (...) {
        return -1;
    }
}

}  // extern "C"

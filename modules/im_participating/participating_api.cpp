// The extern "C" door of im_participating: converts, calls the core, and
// never lets an exception out into Kamailio.
#include "participating_api.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "im/bridge.hpp"
#include "im/clock.hpp"
#include "im/participating/originating.hpp"
#include "im/participating/registration.hpp"
#include "im/participating/terminating.hpp"
#include "im/service/database.hpp"
#include "im/sip/uri.hpp"
#include "im/store/cached_registration_store.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite_registration_store.hpp"

namespace {

std::string text(const char *s) { return s ? std::string(s) : std::string(); }

im::participating::Config make_config(const im_participating_params_t &params)
{
    im::participating::Config config;
    std::string error;
    auto peers = im::net::TrustedPeers::parse(text(params.trusted_core), &error);
    if (!peers) throw std::invalid_argument("trusted_core: " + error);
    config.identity.trusted_core = std::move(*peers);
    config.identity.accept_from_header = params.identity_from_header != 0;
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

// The per-process service: configuration, database connection, procedures.
struct im_participating {
    im_participating(const im_participating_params_t &params, im_participating_shared *shared)
        : config(make_config(params)),
          db(im::service::open_module_database(text(params.db_url), im::store::kParticipatingTables)),
          stores(db, shared),
          registrations(stores.store()),
          registration(registrations, clock, config.identity,
                       {params.default_expires > 0 ? params.default_expires : 3600,
                        params.max_expires > 0 ? params.max_expires : 86400}),
          originating(config),
          terminating(config, registrations, clock)
    {
    }

    im::participating::Config config;
    im::SystemClock clock;
    im::store::SqliteDatabase db;
    RegistrationStores stores;
    im::store::RegistrationStore &registrations;
    im::participating::RegistrationProcedure registration;
    im::participating::OriginatingProcedure originating;
    im::participating::TerminatingProcedure terminating;
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

extern "C" {

int im_participating_check(const im_participating_params_t *params, char *err, size_t err_size)
{
    try {
        im_participating probe(*params, nullptr);
        return 0;
    } catch (const std::exception &e) {
        im::bridge::copy_text(e.what(), err, err_size);
    } catch (...) {
        im::bridge::copy_text("unknown error", err, err_size);
    }
    return -1;
}

im_participating_shared_t *im_participating_shared_create(const im_shm_ops_t *ops, int max_registrations, char *err,
                                                          size_t err_size)
{
    try {
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
        return shared.release();
    } catch (const std::exception &e) {
        im::bridge::copy_text(e.what(), err, err_size);
    } catch (...) {
        im::bridge::copy_text("unknown error", err, err_size);
    }
    return nullptr;
}

void im_participating_shared_destroy(im_participating_shared_t *shared)
{
    std::unique_ptr<im_participating_shared> owned(shared);
    if (owned && owned->registrations) owned->registrations->destroy();
}

im_participating_t *im_participating_open(const im_participating_params_t *params, im_participating_shared_t *shared,
                                          char *err, size_t err_size)
{
    try {
        return std::make_unique<im_participating>(*params, shared).release();
    } catch (const std::exception &e) {
        im::bridge::copy_text(e.what(), err, err_size);
    } catch (...) {
        im::bridge::copy_text("unknown error", err, err_size);
    }
    return nullptr;
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

long long im_participating_active_registrations(im_participating_t *p)
{
    try {
        return p->registrations.count_active(p->clock.now());
    } catch (...) {
        return -1;
    }
}

long long im_participating_purge_expired(im_participating_t *p)
{
    try {
        return static_cast<long long>(p->registrations.purge_expired(p->clock.now()).size());
    } catch (...) {
        return -1;
    }
}

}  // extern "C"

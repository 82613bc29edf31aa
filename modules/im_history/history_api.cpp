// The extern "C" door of im_history: converts, calls the core, and never
// lets an exception out into Kamailio.
#include "history_api.h"

#include <chrono>
#include <memory>
#include <string>

#include "api_support.hpp"
#include "im/bridge.hpp"
#include "im/clock.hpp"
#include "im/history/relay_recorder.hpp"
#include "im/history/session_recording.hpp"
#include "im/history/sqlite_recording_store.hpp"
#include "im/service/database.hpp"
#include "im/store/schema_versions.hpp"
#include "im/store/sqlite_conference_store.hpp"

namespace {

using im::module::text;

im::history::HistoryConfig make_config(const im_history_params_t &params)
{
    im::history::HistoryConfig config;
    auto uri = im::sip::aor_of(text(params.history_uri));
    if (!uri) throw std::invalid_argument("history_uri is no SIP URI");
    config.history_uri = *uri;
    return config;
}

}  // namespace

struct im_history {
    explicit im_history(const im_history_params_t &params)
        : db(im::service::open_module_database(text(params.db_url), im::store::kHistoryTables)),
          conferences(db),
          recordings(db),
          recorder(text(params.relay_control_socket), std::chrono::milliseconds(params.relay_timeout_ms)),
          history(make_config(params), im::module::identity_policy(params.trusted_core, params.identity_from_header),
                  conferences, recordings, recorder, clock)
    {
    }

    im::store::SqliteDatabase db;
    // The focus's sessions, read from im_controlling's tables in the same database.
    im::store::SqliteConferenceStore conferences;
    im::history::SqliteRecordingStore recordings;
    im::history::RelayRecorder recorder;
    im::SystemClock clock;
    im::history::HistoryFunction history;
};

extern "C" {

int im_history_check(const im_history_params_t *params, char *err, size_t err_size)
{
    return im::module::guarded(err, err_size, -1, [&] {
        im_history probe(*params);
        return 0;
    });
}

im_history_t *im_history_open(const im_history_params_t *params, char *err, size_t err_size)
{
    return im::module::guarded(err, err_size, nullptr, [&] { return std::make_unique<im_history>(*params).release(); });
}

void im_history_close(im_history_t *h) { std::unique_ptr<im_history> owned(h); }

int im_history_owns(im_history_t *h, const im_sip_request_t *req)
{
    try {
        return h->history.owns(im::bridge::to_request(*req).request_uri) ? 1 : 0;
    } catch (...) {
        return 0;
    }
}

int im_history_refer(im_history_t *h, const im_sip_request_t *req, const char *refer_to, const char *contact,
                     im_history_refer_outcome_t *out)
{
    *out = im_history_refer_outcome_t{};
    const int rc = im::module::guarded(out->error, sizeof out->error, -1, [&] {
        auto outcome = h->history.refer(im::bridge::to_request(*req), text(refer_to), text(contact));
        im::bridge::write_action(outcome.action, &out->action);
        im::bridge::copy_text(outcome.conference, out->conference, sizeof out->conference);
        im::bridge::copy_text(outcome.notify_status, out->notify_status, sizeof out->notify_status);
        out->started = outcome.started;
        out->stopped = outcome.stopped;
        return 0;
    });
    if (rc < 0) im::bridge::write_internal_error(&out->action);
    return rc;
}

int im_history_recordings(im_history_t *h, const char *owner, char *out, size_t out_size)
{
    return im::module::admin(out, out_size, [&] {
        const std::string aor = im::module::required_aor(owner);
        const auto recordings = h->history.recordings(aor);
        std::string t = "owner: " + aor + "\nrecordings: " + std::to_string(recordings.size());
        for (const auto &r : recordings) {
            t += "\nrecording: " + r.session_identity + " session=" + r.conference +
                 " state=" + (r.recording() ? "recording" : "stopped") + " started_at=" + std::to_string(r.started_at);
            if (r.ended_at) t += " ended_at=" + std::to_string(*r.ended_at);
            t += " messages=" + (r.messages < 0 ? std::string("unknown") : std::to_string(r.messages));
        }
        return t;
    });
}

}  // extern "C"

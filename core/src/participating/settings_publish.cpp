#include "im/participating/settings_publish.hpp"

#include <charconv>

#include "im/participating/steps.hpp"
#include "im/sip/text.hpp"
#include "im/sip/uri.hpp"
#include "im/xml/service_settings.hpp"

namespace im::participating {
namespace {

bool settings_event(std::string_view event)
{
    const std::string_view package = sip::trim(event.substr(0, event.find(';')));
    return sip::iequals(package, "poc-settings") || sip::iequals(package, "im-settings");
}

bool settings_content_type(std::string_view content_type)
{
    const std::string_view media = sip::trim(content_type.substr(0, content_type.find(';')));
    return sip::iequals(media, xml::kPocSettingsContentType);
}

// The user's settings: each entity's values, a later entity overriding an earlier one.
store::ServiceSettings merge(const xml::ServiceSettingsDocument &document)
{
    store::ServiceSettings out;
    for (const auto &entity : document.entities) {
        const auto &s = entity.settings;
        if (s.incoming_session_barring) out.isb_active = s.incoming_session_barring;
        if (s.incoming_pager_mode_barring) out.ipab_active = s.incoming_pager_mode_barring;
        if (s.offline_delivery) out.offline_delivery = s.offline_delivery;
        if (s.visible) out.vis_status = s.visible;
        if (s.history_activation) out.hist_active = s.history_activation;
    }
    return out;
}

Action ok(std::int64_t expires, const std::string &etag)
{
    Action action = Action::reply(Verdict::reply(200, "OK"));
    if (!etag.empty()) action.reply_headers.push_back({"SIP-ETag", etag});
    action.reply_headers.push_back({"Expires", std::to_string(expires)});
    return action;
}

Action conditional_request_failed()
{
    return Action::reply(Verdict::reject(Rejection::entity_tag, 412, "Conditional Request Failed", "399 IM-serv \"Unknown or expired SIP-If-Match entity tag\""));
}

}  // namespace

Action SettingsPublishProcedure::handle(const sip::Request &request) const
{
    // Step 1: the IM feature tag.
    if (Verdict v = require_im_feature_tag(request); !v.proceed()) return Action::reply(std::move(v));

    // Step 2: the settings event package.
    if (!settings_event(request.event)) {
        Action bad = Action::reply(Verdict::reject(Rejection::bad_event, 489, "Bad Event"));
        bad.reply_headers.push_back({"Allow-Events", kSettingsEvents});
        return bad;
    }

    // Step 3: an authenticated originator publishing for itself only.
    OriginatorResult who = authenticate_originator(request, config_.identity);
    if (!who.verdict.proceed()) return Action::reply(std::move(who.verdict));
    const auto target = sip::aor_of(request.request_uri);
    if (!target || *target != who.originator->aor)
        return Action::reply(Verdict::reject(Rejection::not_allowed, 403, "Forbidden", "399 IM-serv \"Settings may be published by their owner only\""));
    const std::string &aor = who.originator->aor;

    // Step 4: RFC 3903 processing.
    std::int64_t expires = limits_.default_expires;
    if (request.expires) {
        const std::string_view text = sip::trim(*request.expires);
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), expires);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || expires < 0)
            return Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - malformed Expires"));
    }
    if (expires > 0 && expires < limits_.min_expires) {
        Action brief = Action::reply(Verdict::reject(Rejection::malformed, 423, "Interval Too Brief"));
        brief.reply_headers.push_back({"Min-Expires", std::to_string(limits_.min_expires)});
        return brief;
    }
    expires = std::min(expires, limits_.max_expires);
    const std::int64_t now = clock_.now();
    const std::string etag(sip::trim(request.sip_if_match));

    std::optional<store::ServiceSettings> settings;
    if (!request.body.empty()) {
        if (!settings_content_type(request.content_type)) {
            Action unsupported = Action::reply(Verdict::reject(Rejection::content_type, 415, "Unsupported Media Type"));
            unsupported.reply_headers.push_back({"Accept", std::string(xml::kPocSettingsContentType)});
            return unsupported;
        }
        auto document = xml::parse_service_settings(request.body);
        if (!document.ok())
            return Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request", "399 IM-serv \"" + document.error().reason + "\""));
        settings = merge(document.value());
    }

    // Step 5: store, refresh, modify or remove, by the kind of publication.
    if (etag.empty()) {
        if (!settings) return Action::reply(Verdict::reject(Rejection::malformed, 400, "Bad Request - initial PUBLISH without a body"));
        if (expires == 0) return ok(0, {});
        return ok(expires, settings_.publish_initial(aor, std::string(request.body), *settings, now + expires, now));
    }
    if (expires == 0) return settings_.remove(aor, etag) ? ok(0, {}) : conditional_request_failed();
    if (!settings) {
        auto refreshed = settings_.refresh(aor, etag, now + expires, now);
        return refreshed ? ok(expires, *refreshed) : conditional_request_failed();
    }
    auto modified = settings_.modify(aor, etag, std::string(request.body), *settings, now + expires, now);
    // Step 6: 200 OK.
    return modified ? ok(expires, *modified) : conditional_request_failed();
}

}  // namespace im::participating

#pragma once
// IM service settings published by each user with PUBLISH (spec 6.2.5,
// Appendix E), kept with RFC 3903 semantics: one publication per user,
// identified by an entity tag, alive while expires_at > now.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace im::store {

// The "active" attributes of a settings document; nullopt where the document
// did not carry the element, so that the Appendix E default applies.
struct ServiceSettings {
    std::optional<bool> isb_active{};        // isb-settings/incoming-session-barring
    std::optional<bool> ipab_active{};       // ipab-settings/incoming-personal-alert-barring
    std::optional<bool> offline_delivery{};  // deferred-settings/offline-delivery
    std::optional<bool> vis_status{};        // vis-settings/vis-status
    std::optional<bool> hist_active{};       // hist-settings/hist-activation

    bool operator==(const ServiceSettings &) const = default;
};

struct PublishedSettings {
    std::string aor;              // normalized address of record of the publisher
    std::string etag;             // the entity tag the last 2xx returned in SIP-ETag
    std::int64_t expires_at = 0;  // Unix seconds
    std::int64_t updated_at = 0;  // Unix seconds of the last successful PUBLISH
    std::string document;         // the published XML body, kept as received
    ServiceSettings settings{};

    bool operator==(const PublishedSettings &) const = default;
};

// The settings of a publication (nullopt: none) that has not expired at
// `now`: SettingsStore::active_settings for a row already read.
std::optional<ServiceSettings> active_settings_of(const std::optional<PublishedSettings> &row, std::int64_t now);

// A source of 64 random bits per call, injectable so tests know the tags.
using RandomBits = std::function<std::uint64_t()>;

// Draws from std::random_device, i.e. from the kernel: worker processes
// forked from one parent hold no shared generator state and never repeat
// each other's tags.
RandomBits system_random_bits();

// An entity tag as sent in SIP-ETag: the 64 bits as 16 lower-case hex digits.
std::string make_entity_tag(std::uint64_t bits);

class SettingsStore {
public:
    virtual ~SettingsStore() = default;

    // Initial publication (no SIP-If-Match): stores the document under a fresh
    // entity tag and returns it. It replaces any earlier publication of aor,
    // expired or not: a user has one set of settings.
    virtual std::string publish_initial(const std::string &aor, const std::string &document,
                                        const ServiceSettings &settings, std::int64_t expires_at,
                                        std::int64_t now) = 0;

    // Refresh (SIP-If-Match, no body): extends the publication under a fresh
    // entity tag, which is returned (RFC 3903 section 6: every successful
    // PUBLISH gets a new tag). nullopt when etag is not that of an active
    // publication of aor; the caller then answers 412 Conditional Request Failed.
    virtual std::optional<std::string> refresh(const std::string &aor, const std::string &etag,
                                               std::int64_t expires_at, std::int64_t now) = 0;

    // Modify (SIP-If-Match and a body): replaces document and settings under
    // a fresh entity tag, which is returned; the old tag stops matching.
    // nullopt when etag does not match an active publication (412).
    virtual std::optional<std::string> modify(const std::string &aor, const std::string &etag,
                                              const std::string &document, const ServiceSettings &settings,
                                              std::int64_t expires_at, std::int64_t now) = 0;

    // Remove (SIP-If-Match, Expires: 0): deletes the publication whose tag is
    // etag; true when there was one. A publication that has expired but is
    // not purged yet still counts, since removing it is what the user wants.
    virtual bool remove(const std::string &aor, const std::string &etag) = 0;

    // The publication of aor if it exists and has not expired at `now`.
    virtual std::optional<PublishedSettings> find_active(const std::string &aor, std::int64_t now) = 0;
    // The settings of find_active's publication, without its document.
    virtual std::optional<ServiceSettings> active_settings(const std::string &aor, std::int64_t now)
    {
        auto published = find_active(aor, now);
        return published ? std::optional<ServiceSettings>(published->settings) : std::nullopt;
    }

    // Deletes every publication expired at `now`; returns how many.
    virtual std::int64_t purge_expired(std::int64_t now) = 0;

    // At most `limit` publications active at `now`, ordered by AOR.
    virtual std::vector<PublishedSettings> list_active(std::int64_t now, std::size_t limit) = 0;
};

}  // namespace im::store

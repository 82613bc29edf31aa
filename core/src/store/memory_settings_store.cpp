#include "im/store/memory_settings_store.hpp"

#include <utility>

namespace im::store {

MemorySettingsStore::MemorySettingsStore(RandomBits random_bits) : random_bits_(std::move(random_bits)) {}

std::string MemorySettingsStore::publish_initial(const std::string &aor, const std::string &document,
                                                 const ServiceSettings &settings, std::int64_t expires_at,
                                                 std::int64_t now)
{
    std::string etag = make_entity_tag(random_bits_());
    publications_.insert_or_assign(aor, PublishedSettings{aor, etag, expires_at, now, document, settings});
    return etag;
}

std::optional<std::string> MemorySettingsStore::refresh(const std::string &aor, const std::string &etag,
                                                        std::int64_t expires_at, std::int64_t now)
{
    PublishedSettings *published = matching_active(aor, etag, now);
    if (published == nullptr) return std::nullopt;
    published->etag = make_entity_tag(random_bits_());
    published->expires_at = expires_at;
    published->updated_at = now;
    return published->etag;
}

std::optional<std::string> MemorySettingsStore::modify(const std::string &aor, const std::string &etag,
                                                       const std::string &document, const ServiceSettings &settings,
                                                       std::int64_t expires_at, std::int64_t now)
{
    // Drawn before the check, as the SQLite store does, so that both consume
    // the injected random source alike.
    std::string new_etag = make_entity_tag(random_bits_());
    PublishedSettings *published = matching_active(aor, etag, now);
    if (published == nullptr) return std::nullopt;
    *published = PublishedSettings{aor, new_etag, expires_at, now, document, settings};
    return new_etag;
}

bool MemorySettingsStore::remove(const std::string &aor, const std::string &etag)
{
    const auto found = publications_.find(aor);
    if (found == publications_.end() || found->second.etag != etag) return false;
    publications_.erase(found);
    return true;
}

std::optional<PublishedSettings> MemorySettingsStore::find_active(const std::string &aor, std::int64_t now)
{
    const auto found = publications_.find(aor);
    if (found == publications_.end() || found->second.expires_at <= now) return std::nullopt;
    return found->second;
}

std::int64_t MemorySettingsStore::purge_expired(std::int64_t now)
{
    return static_cast<std::int64_t>(
        std::erase_if(publications_, [&](const auto &entry) { return entry.second.expires_at <= now; }));
}

std::vector<PublishedSettings> MemorySettingsStore::list_active(std::int64_t now, std::size_t limit)
{
    std::vector<PublishedSettings> active;
    for (const auto &[aor, published] : publications_) {
        if (active.size() >= limit) break;
        if (published.expires_at > now) active.push_back(published);
    }
    return active;
}

PublishedSettings *MemorySettingsStore::matching_active(const std::string &aor, const std::string &etag,
                                                        std::int64_t now)
{
    const auto found = publications_.find(aor);
    if (found == publications_.end()) return nullptr;
    PublishedSettings &published = found->second;
    return published.etag == etag && published.expires_at > now ? &published : nullptr;
}

}  // namespace im::store

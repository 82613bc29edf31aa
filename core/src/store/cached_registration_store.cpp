#include "im/store/cached_registration_store.hpp"

#include <cstring>

namespace im::store {

void CachedRegistrationStore::remember(const Registration &reg)
{
    if (reg.contact.size() > sizeof(CachedRegistration::contact) || !RegistrationCache::key_fits(reg.aor)) {
        cache_.erase(reg.aor);  // too big to cache: readers go to the store
        return;
    }
    CachedRegistration value{};
    value.expires_at = reg.expires_at;
    value.updated_at = reg.updated_at;
    value.contact_length = static_cast<std::uint32_t>(reg.contact.size());
    std::memcpy(value.contact, reg.contact.data(), reg.contact.size());
    if (!cache_.put(reg.aor, value)) cache_.erase(reg.aor);  // full: never leave a stale entry behind
}

void CachedRegistrationStore::upsert(const Registration &reg)
{
    store_.upsert(reg);
    remember(reg);
}

bool CachedRegistrationStore::remove(const std::string &aor)
{
    const bool removed = store_.remove(aor);
    cache_.erase(aor);
    return removed;
}

std::optional<Registration> CachedRegistrationStore::find_active(const std::string &aor, std::int64_t now)
{
    if (auto hit = cache_.get(aor)) {
        if (hit->expires_at <= now) return std::nullopt;
        return Registration{aor, std::string(hit->contact, hit->contact_length), hit->expires_at, hit->updated_at};
    }
    auto reg = store_.find_active(aor, now);
    if (reg) remember(*reg);
    return reg;
}

bool CachedRegistrationStore::is_active(const std::string &aor, std::int64_t now)
{
    if (auto expires_at = cache_.peek(aor, [](const CachedRegistration &r) { return r.expires_at; }))
        return *expires_at > now;
    return find_active(aor, now).has_value();  // a miss reads the store and fills the cache
}

std::vector<std::string> CachedRegistrationStore::purge_expired(std::int64_t now)
{
    auto removed = store_.purge_expired(now);
    cache_.erase_if([now](std::string_view, const CachedRegistration &value) { return value.expires_at <= now; });
    return removed;
}

std::int64_t CachedRegistrationStore::count_active(std::int64_t now) { return store_.count_active(now); }

}  // namespace im::store

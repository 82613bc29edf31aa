#include "im/store/memory_registration_store.hpp"

#include <algorithm>

namespace im::store {

void MemoryRegistrationStore::upsert(const Registration &reg) { registrations_.insert_or_assign(reg.aor, reg); }

bool MemoryRegistrationStore::known(const std::string &aor) { return registrations_.count(aor) > 0; }

bool MemoryRegistrationStore::remove(const std::string &aor) { return registrations_.erase(aor) > 0; }

std::optional<Registration> MemoryRegistrationStore::find_active(const std::string &aor, std::int64_t now)
{
    const auto found = registrations_.find(aor);
    if (found == registrations_.end() || found->second.expires_at <= now) return std::nullopt;
    return found->second;
}

std::vector<std::string> MemoryRegistrationStore::purge_expired(std::int64_t now)
{
    std::vector<std::string> removed;
    std::erase_if(registrations_, [&](const auto &entry) {
        const bool expired = entry.second.expires_at <= now;
        if (expired) removed.push_back(entry.first);
        return expired;
    });
    return removed;
}

std::int64_t MemoryRegistrationStore::count_active(std::int64_t now)
{
    return std::ranges::count_if(registrations_, [&](const auto &entry) { return entry.second.expires_at > now; });
}

}  // namespace im::store

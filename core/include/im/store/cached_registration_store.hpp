#pragma once
// Registration state seen by every Kamailio worker without a database read
// per request: a shared-memory cache in front of the persistent store.
// Writes go through to the store first; reads that miss fill the cache.
#include <cstdint>

#include "im/shared/shared_table.hpp"
#include "im/store/registration_store.hpp"

namespace im::store {

struct CachedRegistration {
    std::int64_t expires_at;
    std::int64_t updated_at;
    std::uint32_t contact_length;
    char contact[500];
};

using RegistrationCache = shared::SharedTable<CachedRegistration>;

class CachedRegistrationStore final : public RegistrationStore {
public:
    CachedRegistrationStore(RegistrationStore &store, RegistrationCache &cache) : store_(store), cache_(cache) {}

    void upsert(const Registration &reg) override;
    bool remove(const std::string &aor) override;
    bool known(const std::string &aor) override { return store_.known(aor); }
    std::optional<Registration> find_active(const std::string &aor, std::int64_t now) override;
    // Reads only the expiry of a cached entry (not its 500-byte contact).
    bool is_active(const std::string &aor, std::int64_t now) override;
    // Starts loading the AORs' cache entries (see SharedTable::prefetch).
    void prefetch(const std::vector<std::string> &aors) override { cache_.prefetch(aors); }
    std::vector<std::string> purge_expired(std::int64_t now) override;
    std::int64_t count_active(std::int64_t now) override;

private:
    void remember(const Registration &reg);

    RegistrationStore &store_;
    RegistrationCache &cache_;
};

}  // namespace im::store

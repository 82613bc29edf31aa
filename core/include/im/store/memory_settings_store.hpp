#pragma once
// An in-memory SettingsStore for unit tests of domain logic; it honours the
// same contract as SqliteSettingsStore.
#include <map>

#include "im/store/settings_store.hpp"

namespace im::store {

class MemorySettingsStore final : public SettingsStore {
public:
    explicit MemorySettingsStore(RandomBits random_bits = system_random_bits());

    std::string publish_initial(const std::string &aor, const std::string &document, const ServiceSettings &settings,
                                std::int64_t expires_at, std::int64_t now) override;
    std::optional<std::string> refresh(const std::string &aor, const std::string &etag, std::int64_t expires_at,
                 std::int64_t now) override;
    std::optional<std::string> modify(const std::string &aor, const std::string &etag, const std::string &document,
                                      const ServiceSettings &settings, std::int64_t expires_at,
                                      std::int64_t now) override;
    bool remove(const std::string &aor, const std::string &etag) override;
    std::optional<PublishedSettings> find_active(const std::string &aor, std::int64_t now) override;
    std::int64_t purge_expired(std::int64_t now) override;
    std::vector<PublishedSettings> list_active(std::int64_t now, std::size_t limit) override;

private:
    // The publication of aor that etag names and that is active at now, or null.
    PublishedSettings *matching_active(const std::string &aor, const std::string &etag, std::int64_t now);

    RandomBits random_bits_;
    std::map<std::string, PublishedSettings, std::less<>> publications_;  // by AOR
};

}  // namespace im::store

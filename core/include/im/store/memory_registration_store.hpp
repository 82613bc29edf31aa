#pragma once
// An in-memory RegistrationStore for unit tests of domain logic; it honours
// the same contract as SqliteRegistrationStore (active while expires_at > now).
#include <map>

#include "im/store/registration_store.hpp"

namespace im::store {

class MemoryRegistrationStore final : public RegistrationStore {
public:
    void upsert(const Registration &reg) override;
    bool remove(const std::string &aor) override;
    bool known(const std::string &aor) override;
    std::optional<Registration> find_active(const std::string &aor, std::int64_t now) override;
    std::vector<std::string> purge_expired(std::int64_t now) override;
    std::int64_t count_active(std::int64_t now) override;

private:
    std::map<std::string, Registration, std::less<>> registrations_;
};

}  // namespace im::store

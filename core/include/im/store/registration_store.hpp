#pragma once
// Registration state learnt from third-party REGISTER (spec 6.2.1), shared by
// every worker process and kept across restarts. A deregistered or expired
// user stays on record (offline) until purged, so that the terminating side
// tells an offline user (defer) from an address nobody has (404).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace im::store {

struct Registration {
    std::string aor;          // normalized address of record, e.g. "sip:alice@example.com"
    std::string contact;      // the contact the core registered for the user (may be empty)
    std::int64_t expires_at;  // Unix seconds
    std::int64_t updated_at;  // Unix seconds
};

class RegistrationStore {
public:
    virtual ~RegistrationStore() = default;
    // Insert or replace the registration of reg.aor.
    virtual void upsert(const Registration &reg) = 0;
    // Remove the registration of aor; true when there was one.
    virtual bool remove(const std::string &aor) = 0;
    // Whether aor ever registered and is still on record (active or offline):
    // an IM subscriber this server knows.
    virtual bool known(const std::string &aor) = 0;
    // The registration of aor if it exists and has not expired at `now`.
    virtual std::optional<Registration> find_active(const std::string &aor, std::int64_t now) = 0;
    // Whether find_active would find one, for callers that need no more.
    virtual bool is_active(const std::string &aor, std::int64_t now) { return find_active(aor, now).has_value(); }
    // A hint that these AORs are about to be looked up (a batch of copy
    // checks): a store in memory may start loading them; nothing else.
    virtual void prefetch(const std::vector<std::string> &aors) { (void)aors; }
    // Delete every registration expired at `now`; returns the removed AORs.
    virtual std::vector<std::string> purge_expired(std::int64_t now) = 0;
    // Number of registrations active at `now`.
    virtual std::int64_t count_active(std::int64_t now) = 0;
};

}  // namespace im::store

#pragma once
// Spec 6.2.6.1 step 6 and appendix I: the "Willingness for IM" each served
// user last published to the presence server, as the IM server learnt it
// from its presence subscription to the user. Table im_willingness. A user
// without a row has said nothing and counts as willing.
#include <cstdint>
#include <map>
#include <string>

namespace im::store {

class WillingnessStore {
public:
    virtual ~WillingnessStore() = default;
    virtual void set(const std::string &aor, bool willing, std::int64_t now) = 0;
    // The user's presence no longer says (subscription ended, tuple gone).
    virtual void forget(const std::string &aor) = 0;
    virtual bool willing(const std::string &aor) = 0;
};

// In memory, for unit tests of domain logic; same contract as the SQLite one.
class MemoryWillingnessStore final : public WillingnessStore {
public:
    void set(const std::string &aor, bool willing, std::int64_t) override { rows_[aor] = willing; }
    void forget(const std::string &aor) override { rows_.erase(aor); }
    bool willing(const std::string &aor) override
    {
        auto row = rows_.find(aor);
        return row == rows_.end() || row->second;
    }

private:
    std::map<std::string, bool, std::less<>> rows_;
};

}  // namespace im::store

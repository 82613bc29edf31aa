#pragma once
// The outcome of one procedure step: go on, or answer with a SIP reply.
#include <string>

namespace im {

struct Verdict {
    int code = 0;            // 0: continue; otherwise the SIP reply code to send
    std::string reason;      // reason phrase of the reply
    std::string warning;     // Warning header text (RFC 3261 20.43), empty for none

    bool proceed() const { return code == 0; }

    static Verdict next() { return {}; }
    static Verdict reply(int code, std::string reason, std::string warning = {})
    {
        return Verdict{code, std::move(reason), std::move(warning)};
    }
};

}  // namespace im

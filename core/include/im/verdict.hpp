#pragma once
// The outcome of one procedure step: go on, or answer with a SIP reply.
#include <string>
#include <string_view>

#include "im_bridge.h"

namespace im {

// Why a request was refused, for the statistics (the list is in im_bridge.h).
enum class Rejection {
    none = IM_REJECT_NONE,
#define IM_REJECTION_CXX(name) name = IM_REJECT_##name,
    IM_REJECTIONS(IM_REJECTION_CXX)
#undef IM_REJECTION_CXX
};

// A Warning header value of this server (RFC 3261 20.43, code 399: a
// miscellaneous warning whose text says why).
inline std::string server_warning(std::string_view text)
{
    return "399 IM-serv \"" + std::string(text) + "\"";
}

struct Verdict {
    int code = 0;            // 0: continue; otherwise the SIP reply code to send
    std::string reason;      // reason phrase of the reply
    std::string warning;     // Warning header text (RFC 3261 20.43), empty for none
    Rejection rejection = Rejection::none;

    bool proceed() const { return code == 0; }

    static Verdict next() { return {}; }
    // A reply that is no refusal (200) or whose cause needs no counter.
    static Verdict reply(int code, std::string reason, std::string warning = {})
    {
        return Verdict{code, std::move(reason), std::move(warning), code >= 300 ? Rejection::other : Rejection::none};
    }
    static Verdict reject(Rejection why, int code, std::string reason, std::string warning = {})
    {
        return Verdict{code, std::move(reason), std::move(warning), why};
    }
};

}  // namespace im

#include "im/xml/result.hpp"

namespace im::xml {

Error make_error(ErrorKind kind, std::string reason)
{
    constexpr std::size_t kMaxReasonBytes = 200;
    if (reason.size() > kMaxReasonBytes) {
        std::size_t cut = kMaxReasonBytes;
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;  // UTF-8 continuation
        reason.resize(cut);
        reason += "...";
    }
    for (char &c : reason)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    return Error{kind, std::move(reason)};
}

}  // namespace im::xml

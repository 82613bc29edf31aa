// Group Advertisement documents (OMA IM Appendix E.1.5-E.1.8) from arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "im/xml/group_advertisement.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    auto advertisement = im::xml::parse_group_advertisement(bytes);
    if (advertisement.ok()) {
        // What the parser promises: at least one group, each with a URI.
        if (advertisement.value().groups.empty()) std::abort();
        for (const auto &group : advertisement.value().groups)
            if (group.uris.empty()) std::abort();
    }
    return 0;
}

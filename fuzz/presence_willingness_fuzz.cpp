// A presence NOTIFY body from arbitrary bytes: the Willingness for IM
// (appendix I) read from a PIDF document with the hardened libxml2 parse.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "im/xml/im_presence.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view input(reinterpret_cast<const char *>(data), size);
    (void)im::xml::im_willingness(input);
    return 0;
}

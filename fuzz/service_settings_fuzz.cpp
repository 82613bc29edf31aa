// IM service settings (OMA IM Appendix E) from arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "im/xml/service_settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view bytes(reinterpret_cast<const char *>(data), size);
    auto settings = im::xml::parse_service_settings(bytes);
    if (settings.ok()) (void)im::xml::merged_settings(settings.value());
    return 0;
}

#include "im/store/settings_store.hpp"

#include <memory>
#include <random>

namespace im::store {

std::optional<ServiceSettings> active_settings_of(const std::optional<PublishedSettings> &row, std::int64_t now)
{
    if (row && row->expires_at > now) return row->settings;
    return std::nullopt;
}

RandomBits system_random_bits()
{
    // std::function needs a copyable callable; the device itself is not.
    auto device = std::make_shared<std::random_device>();
    return [device] {
        static_assert(sizeof(std::random_device::result_type) >= 4);
        const std::uint64_t high = (*device)() & 0xffffffffU;
        const std::uint64_t low = (*device)() & 0xffffffffU;
        return (high << 32) | low;
    };
}

std::string make_entity_tag(std::uint64_t bits)
{
    static constexpr char kHexDigits[] = "0123456789abcdef";
    std::string tag(16, '0');
    for (auto digit = tag.rbegin(); digit != tag.rend(); ++digit, bits >>= 4) *digit = kHexDigits[bits & 0xf];
    return tag;
}

}  // namespace im::store

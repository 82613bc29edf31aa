#include "im/shared/shared_table.hpp"

#include <bit>

namespace im::shared::detail {

std::uint64_t hash_key(std::string_view key) noexcept
{
    constexpr std::uint64_t kFnvOffset = 14695981039346656037ULL;
    constexpr std::uint64_t kFnvPrime = 1099511628211ULL;
    std::uint64_t hash = kFnvOffset;
    for (const char c : key) {
        hash ^= static_cast<unsigned char>(c);
        hash *= kFnvPrime;
    }
    // MurmurHash3's finalizer: FNV's low bits alone spread poorly.
    hash ^= hash >> 33;
    hash *= 0xff51afd7ed558ccdULL;
    hash ^= hash >> 33;
    hash *= 0xc4ceb9fe1a85ec53ULL;
    hash ^= hash >> 33;
    return hash;
}

std::size_t bucket_count_for(std::size_t requested) noexcept
{
    if (requested > kMaxBucketCount)
        return 0;
    return std::bit_ceil(requested == 0 ? std::size_t{1} : requested);
}

}  // namespace im::shared::detail

#pragma once
// A stand-in for Kamailio's shm pool, for unit tests and the relay only
// (Kamailio modules use kam_shm_ops() from modules/common/kam_shm.h).
//
// im_shm_ops_t has no context argument, so each process has one arena, kept
// in a function-local static: a MAP_SHARED|MAP_ANONYMOUS mapping made on the
// first call of test_shm_ops(). Call it before fork() so that the children
// share the parent's arena. The mapping is never unmapped: handles to it may
// be used until the process exits.
//
// Blocks come from a first-fit, address-ordered free list with coalescing
// behind a process-shared pthread mutex; locks are error-checking,
// process-shared pthread mutexes placed in the arena. Misuse (double free,
// taking a lock twice, releasing a lock not held) aborts with a message.
#include <cstddef>

#include "im_shared.h"

namespace im::shared {

// Address space reserved for the arena; pages are only used when touched.
inline constexpr std::size_t kTestArenaBytes = std::size_t{128} << 20;

// This process's arena as an ops table (mapping it on the first call). When
// the mapping fails, alloc and lock_create return NULL.
const im_shm_ops_t &test_shm_ops() noexcept;

// What is allocated from the arena right now, by every process sharing it.
struct TestShmUsage {
    std::size_t blocks = 0;
    std::size_t bytes = 0;  // payload bytes as rounded by the allocator
};
TestShmUsage test_shm_usage() noexcept;

}  // namespace im::shared

#pragma once
// Shared by the XML parser tests: time budgets that a loaded machine cannot fail.
#include <time.h>

namespace im::xml::testing {

// CPU time of this thread for `work`: a loaded build machine cannot fail a
// budget that wall time would.
double cpu_milliseconds_to(auto &&work)
{
    timespec start{}, end{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &start);
    work();
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &end);
    return static_cast<double>(end.tv_sec - start.tv_sec) * 1e3 + static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e6;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr double kSlowdown = 10.0;  // ASan/UBSan builds run several times slower
#else
constexpr double kSlowdown = 1.0;
#endif

}  // namespace im::xml::testing

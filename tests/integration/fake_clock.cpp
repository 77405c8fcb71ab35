// SPDX-License-Identifier: MIT
// Preloaded (LD_PRELOAD) into aktoken by integration tests that compare what aktoken predicts
// from its own clock with what a sandbox on a frozen clock stores: CLOCK_REALTIME reads the
// instant AKTOKEN_TEST_NOW gives (seconds since the epoch) instead of the system clock. aktoken
// reads the time only through std::chrono::system_clock, which calls clock_gettime. See
// harness.h, frozen_clock().
#include <dlfcn.h>
#include <time.h>

#include <cstdlib>

extern "C" int clock_gettime(clockid_t clock, struct timespec* at) {
    const char* frozen = std::getenv("AKTOKEN_TEST_NOW");
    if (clock == CLOCK_REALTIME && frozen != nullptr) {
        at->tv_sec = static_cast<time_t>(std::strtoll(frozen, nullptr, 10));
        at->tv_nsec = 0;
        return 0;
    }
    using Real = int (*)(clockid_t, struct timespec*);
    static const auto real = reinterpret_cast<Real>(dlsym(RTLD_NEXT, "clock_gettime"));
    return real(clock, at);
}

// SPDX-License-Identifier: MIT
// Preloaded (LD_PRELOAD) into aktoken by integration tests whose point is a retry, so that they
// do not wait out its backoff: nanosleep returns at once and appends the duration it was asked
// for, in seconds, as one line to the file named by AKTOKEN_TEST_SLEEP_RECORD. aktoken sleeps
// only through nanosleep (std::this_thread::sleep_for); libcurl's own waits (timeouts, the multi
// interface) poll and are not affected. See harness.h, skip_sleeps().
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

extern "C" int nanosleep(const struct timespec* duration, struct timespec* remaining) {
    if (const char* path = std::getenv("AKTOKEN_TEST_SLEEP_RECORD"); path != nullptr && duration != nullptr) {
        char line[64];
        const int length = std::snprintf(line, sizeof line, "%lld.%09ld\n", static_cast<long long>(duration->tv_sec),
                                         static_cast<long>(duration->tv_nsec));
        const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            [[maybe_unused]] const ssize_t written = ::write(fd, line, static_cast<std::size_t>(length));
            ::close(fd);
        }
    }
    if (remaining != nullptr) {
        remaining->tv_sec = 0;
        remaining->tv_nsec = 0;
    }
    return 0;
}

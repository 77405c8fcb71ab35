// SPDX-License-Identifier: MIT
#include "aktoken/util/lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "aktoken/util/error.h"

namespace aktoken::util {

FileLock::FileLock(const std::string& path, std::chrono::milliseconds timeout) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) {
        throw Error(ErrorKind::config, fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    // flock has no timeout of its own: poll without blocking until the deadline.
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const int error = errno;
            ::close(fd_);
            throw Error(ErrorKind::config, fmt::format("cannot lock {}: {}", path, std::strerror(error)));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::close(fd_);
            throw Error(ErrorKind::busy,
                        fmt::format("busy: {} is locked by another run (waited {} s; see --lock-timeout)", path,
                                    std::chrono::duration<double>(timeout).count()));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

}  // namespace aktoken::util

// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>

namespace aktoken::util {

// An exclusive flock(2) on a file, held until destruction, so that two schedulers never
// rotate the same tokens at once.
class FileLock {
public:
    // Creates the file if needed (mode 0600) and takes the lock, waiting up to `timeout`;
    // throws Error(busy) when it is still held by someone else then, Error(config) when the
    // file cannot be opened.
    FileLock(const std::string& path, std::chrono::milliseconds timeout);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace aktoken::util

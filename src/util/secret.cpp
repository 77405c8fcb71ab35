// SPDX-License-Identifier: MIT
#include "aktoken/util/secret.h"

#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>

namespace aktoken::util {

void wipe(std::string& s) noexcept {
    // Growing to the capacity (never a reallocation) makes the whole buffer ours to write: a
    // moved-from or shortened string keeps old bytes beyond size(), a small one in its SSO buffer.
    s.resize(s.capacity());
    // explicit_bzero, unlike memset, is not removed as a dead store before destruction.
    explicit_bzero(s.data(), s.size());
    s.clear();
}

namespace {

// What EchoOff changed, for restore_terminal(), which a signal handler may call: plain storage
// written before the descriptor is published.
termios saved_settings{};
std::atomic<int> changed_fd{-1};

}  // namespace

EchoOff::EchoOff(int fd) {
    termios settings{};
    if (::isatty(fd) == 0 || ::tcgetattr(fd, &settings) != 0) {
        return;
    }
    saved_settings = settings;
    changed_fd.store(fd);
    settings.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    // ECHONL would still echo the newline; the caller prints its own after the answer.
    settings.c_lflag &= ~static_cast<tcflag_t>(ECHONL);
    ::tcsetattr(fd, TCSAFLUSH, &settings);
}

EchoOff::~EchoOff() { restore_terminal(); }

void restore_terminal() noexcept {
    const int fd = changed_fd.exchange(-1);
    if (fd >= 0) {
        ::tcsetattr(fd, TCSAFLUSH, &saved_settings);
    }
}

}  // namespace aktoken::util

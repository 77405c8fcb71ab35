// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace aktoken::util {

// Overwrites the bytes of a string in a way the optimiser may not drop.
void wipe(std::string& s) noexcept;

// A string holding a key or token; its buffer is wiped when it is destroyed or reassigned.
// It is move-only so that copies of the secret do not spread through memory.
class Secret {
public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { wipe(other.value_); }
    Secret& operator=(Secret&& other) noexcept {
        if (this != &other) {
            wipe(value_);
            value_ = std::move(other.value_);
            wipe(other.value_);
        }
        return *this;
    }
    ~Secret() { wipe(value_); }

    std::string_view view() const { return value_; }
    bool empty() const { return value_.empty(); }

private:
    std::string value_;
};

// Turns echo off on the terminal `fd` while it lives, so that a key typed or pasted at a prompt
// is not shown; does nothing when `fd` is not a terminal. A run ended by a signal meanwhile
// gets the terminal back through restore_terminal().
class EchoOff {
public:
    explicit EchoOff(int fd);
    ~EchoOff();
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
};

// Puts back the terminal settings an EchoOff changed, if one is alive. Async-signal-safe: the
// signal handler calls it.
void restore_terminal() noexcept;

}  // namespace aktoken::util

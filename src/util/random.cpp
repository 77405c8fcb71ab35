// SPDX-License-Identifier: MIT
#include "aktoken/util/random.h"

#include <fmt/format.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "aktoken/util/error.h"

namespace aktoken::util {

namespace {

constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// 248 is the largest multiple of 62 that fits in a byte; keeping only bytes below it makes every
// character equally likely (a plain modulo would favour the first 8).
constexpr unsigned char rejection_limit = 248;
static_assert(alphabet.size() == 62 && rejection_limit % 62 == 0);

void fill_random(unsigned char* buffer, std::size_t size) {
    std::size_t filled = 0;
    while (filled < size) {
        const ssize_t n = getrandom(buffer + filled, size - filled, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error(ErrorKind::internal, fmt::format("getrandom failed: {}", std::strerror(errno)));
        }
        filled += static_cast<std::size_t>(n);
    }
}

}  // namespace

Secret random_key(std::size_t length) {
    std::string key;
    key.reserve(length);
    std::array<unsigned char, 64> pool{};
    try {
        while (key.size() < length) {
            fill_random(pool.data(), pool.size());
            for (const unsigned char byte : pool) {
                if (byte < rejection_limit && key.size() < length) {
                    key.push_back(alphabet[byte % alphabet.size()]);
                }
            }
        }
    } catch (...) {
        wipe(key);
        explicit_bzero(pool.data(), pool.size());
        throw;
    }
    explicit_bzero(pool.data(), pool.size());
    return Secret(std::move(key));
}

bool is_generated_key_form(std::string_view key) {
    return key.size() >= min_key_length && key.size() <= max_key_length &&
           key.find_first_not_of(alphabet) == std::string_view::npos;
}

}  // namespace aktoken::util

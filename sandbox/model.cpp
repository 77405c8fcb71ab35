// SPDX-License-Identifier: MIT
#include "model.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace sandbox {
namespace {

std::mt19937_64& generator() {
    // One generator per thread: no lock on the hot path, seeded from the OS.
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen;
}

}  // namespace

bool User::has_permission(const std::string& permission) const {
    return is_superuser || std::find(permissions.begin(), permissions.end(), permission) != permissions.end();
}

bool Token::is_expired(Micros now) const {
    // filter_not_expired keeps expiring=False or expires > now; a null expires never passes.
    return expiring && (!expires || *expires <= now);
}

void Token::before_save(Micros now, Micros default_duration) {
    if (expiring && !expires) {
        expires = now + default_duration;
    }
}

std::string random_key() {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<int> pick(0, 61);
    std::string key(60, 'x');
    for (auto& c : key) {
        c = alphabet[pick(generator())];
    }
    return key;
}

std::string random_uuid4() {
    const std::uint64_t hi = (generator()() & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;
    const std::uint64_t lo = (generator()() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
    return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
                       lo & 0xffffffffffffULL);
}

bool is_intent_choice(const std::string& intent) {
    return std::any_of(std::begin(intent_choices), std::end(intent_choices),
                       [&](const char* choice) { return intent == choice; });
}

}  // namespace sandbox

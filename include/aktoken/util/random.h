// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>

#include "aktoken/util/secret.h"

namespace aktoken::util {

// Returns `length` characters drawn uniformly from [A-Za-z0-9] with getrandom(2); throws
// aktoken::Error (internal) if the kernel cannot provide randomness.
Secret random_key(std::size_t length);

// The key lengths rotate accepts for --length; a key file aktoken finds holds one of them.
inline constexpr std::size_t min_key_length = 32;
inline constexpr std::size_t max_key_length = 512;

// Whether `key` has the form of a key aktoken generates: min_key_length to max_key_length
// characters of [A-Za-z0-9].
bool is_generated_key_form(std::string_view key);

}  // namespace aktoken::util

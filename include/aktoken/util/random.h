// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>

#include "aktoken/util/secret.h"

namespace aktoken::util {

// Returns `length` characters drawn uniformly from [A-Za-z0-9] with getrandom(2); throws
// aktoken::Error (internal) if the kernel cannot provide randomness.
Secret random_key(std::size_t length);

}  // namespace aktoken::util

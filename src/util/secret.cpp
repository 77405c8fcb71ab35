// SPDX-License-Identifier: MIT
#include "aktoken/util/secret.h"

#include <string.h>

namespace aktoken::util {

void wipe(std::string& s) noexcept {
    // Growing to the capacity (never a reallocation) makes the whole buffer ours to write: a
    // moved-from or shortened string keeps old bytes beyond size(), a small one in its SSO buffer.
    s.resize(s.capacity());
    // explicit_bzero, unlike memset, is not removed as a dead store before destruction.
    explicit_bzero(s.data(), s.size());
    s.clear();
}

}  // namespace aktoken::util

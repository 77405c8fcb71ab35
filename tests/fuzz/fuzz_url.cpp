// SPDX-License-Identifier: MIT
// libFuzzer target: config::normalize_base_url.
#include <stdexcept>
#include <string>

#include "aktoken/config/settings.h"
#include "aktoken/util/error.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

void url(std::string_view input) {
    std::string base;
    try {
        base = config::normalize_base_url(input);
    } catch (const Error&) {
        return;
    } catch (const std::invalid_argument&) {
        return;
    }
    const std::string_view view = base;
    if (!(view.starts_with("http://") || view.starts_with("https://")) || !view.ends_with("/api/v3")) {
        throw InvariantViolation("normalized URL has the wrong shape: " + base);
    }
    // The result is stored and shown as the URL in use; normalising it again must not change it.
    std::string again;
    try {
        again = config::normalize_base_url(base);
    } catch (const Error& e) {
        throw InvariantViolation("normalized URL is rejected when normalized again: " + base + ": " + e.what());
    }
    if (again != base) {
        throw InvariantViolation("normalize_base_url is not idempotent: " + base + " -> " + again);
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::url)

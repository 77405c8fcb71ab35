// SPDX-License-Identifier: MIT
// The authentik releases the sandbox can play, and the rules in which they differ: one row per
// release, chosen once at start-up (--authentik-version). Routes read the flags; no route
// compares version numbers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sandbox {

struct VersionRules {
    // What --authentik-version accepts, e.g. "2026.2".
    std::string_view name;
    // The patch release whose source the row follows; GET /admin/version/ reports it.
    std::string_view release;
    // 404 detail: "No Token matches the given query." from 2025.4, "Not found." before.
    bool model_named_not_found;
    // List bodies carry "autocomplete": {} (2025.8+).
    bool list_autocomplete;
    // page_size: default and cap (0 = no cap). Up to 2025.10: 100 and uncapped; from 2025.12 the
    // tenant's pagination_default_page_size (20) and pagination_max_page_size (100).
    std::int64_t default_page_size;
    std::int64_t max_page_size;
    // A set_key body that fails validation answers an empty 400 (up to 2025.10).
    bool set_key_empty_400;
    // A non-Bearer scheme answers "Unsupported authentication type" (up to 2025.10); later
    // releases treat it as no credentials.
    bool unsupported_scheme_message;
    // An app_password write with "expires": null and expiring true is a 500 (None > datetime in
    // validate(); 2024.4 to 2025.12.2).
    bool null_app_password_expiry_500;
    // view_key/set_key skip the owner filter and check the permission: someone else's token
    // answers 403, and a global view_token_key holder gets the key; global view_token lists and
    // retrieves every token (2026.2+).
    bool global_token_permissions;
    // Authenticating with an expired api token deletes it on the spot (filter_not_expired, up
    // to 2026.2); later releases keep it until housekeeping.
    bool delete_expired_on_auth;
    // The default manager hides expired tokens, so the unique check misses an expired token's
    // identifier and the INSERT fails: 500 instead of 400 "already exists" (2026.5+).
    bool expired_identifier_500;
};

// The row for `name` (e.g. "2025.10"), or nullopt when the sandbox does not know it.
std::optional<VersionRules> find_version(std::string_view name);

// The newest release, the default.
const VersionRules& newest_version();

// "2024.4, 2025.10, ..." for help text and errors.
std::string version_names();

}  // namespace sandbox

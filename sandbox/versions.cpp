// SPDX-License-Identifier: MIT
#include "versions.h"

#include <array>

namespace sandbox {
namespace {

// Each row follows the newest patch release of its line (see sandbox/README.md, "Versions").
constexpr std::array<VersionRules, 6> kVersions = {{
    {
        .name = "2024.4",
        .release = "2024.4.4",
        .model_named_not_found = false,
        .list_autocomplete = false,
        .default_page_size = 100,
        .max_page_size = 0,
        .set_key_empty_400 = true,
        .unsupported_scheme_message = true,
        .null_app_password_expiry_500 = true,
        .global_token_permissions = false,
        .delete_expired_on_auth = true,
        .expired_identifier_500 = false,
    },
    {
        .name = "2025.10",
        .release = "2025.10.4",
        .model_named_not_found = true,
        .list_autocomplete = true,
        .default_page_size = 100,
        .max_page_size = 0,
        .set_key_empty_400 = true,
        .unsupported_scheme_message = true,
        .null_app_password_expiry_500 = true,
        .global_token_permissions = false,
        .delete_expired_on_auth = true,
        .expired_identifier_500 = false,
    },
    {
        .name = "2025.12",
        .release = "2025.12.4",
        .model_named_not_found = true,
        .list_autocomplete = true,
        .default_page_size = 20,
        .max_page_size = 100,
        .set_key_empty_400 = false,
        .unsupported_scheme_message = false,
        .null_app_password_expiry_500 = false,
        .global_token_permissions = false,
        .delete_expired_on_auth = true,
        .expired_identifier_500 = false,
    },
    {
        .name = "2026.2",
        .release = "2026.2.2",
        .model_named_not_found = true,
        .list_autocomplete = true,
        .default_page_size = 20,
        .max_page_size = 100,
        .set_key_empty_400 = false,
        .unsupported_scheme_message = false,
        .null_app_password_expiry_500 = false,
        .global_token_permissions = true,
        .delete_expired_on_auth = true,
        .expired_identifier_500 = false,
    },
    {
        .name = "2026.5",
        .release = "2026.5.6",
        .model_named_not_found = true,
        .list_autocomplete = true,
        .default_page_size = 20,
        .max_page_size = 100,
        .set_key_empty_400 = false,
        .unsupported_scheme_message = false,
        .null_app_password_expiry_500 = false,
        .global_token_permissions = true,
        .delete_expired_on_auth = false,
        .expired_identifier_500 = true,
    },
    {
        .name = "2026.8",
        .release = "2026.8.3",
        .model_named_not_found = true,
        .list_autocomplete = true,
        .default_page_size = 20,
        .max_page_size = 100,
        .set_key_empty_400 = false,
        .unsupported_scheme_message = false,
        .null_app_password_expiry_500 = false,
        .global_token_permissions = true,
        .delete_expired_on_auth = false,
        .expired_identifier_500 = true,
    },
}};

}  // namespace

std::optional<VersionRules> find_version(std::string_view name) {
    for (const VersionRules& rules : kVersions) {
        if (rules.name == name) {
            return rules;
        }
    }
    return std::nullopt;
}

const VersionRules& newest_version() { return kVersions.back(); }

std::string version_names() {
    std::string names;
    for (const VersionRules& rules : kVersions) {
        if (!names.empty()) {
            names += ", ";
        }
        names += rules.name;
    }
    return names;
}

}  // namespace sandbox

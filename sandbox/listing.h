// SPDX-License-Identifier: MIT
// List endpoints: django-filter filters, DRF search and ordering, PageNumberPagination.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "json_codec.h"
#include "store.h"

namespace sandbox {

// The query string, as httplib::Params (same type).
using QueryParams = std::multimap<std::string, std::string>;

// Django's QueryDict.get(): the last value of a repeated parameter.
std::optional<std::string> last_param(const QueryParams& params, const std::string& name);

struct TokenSelection {
    std::vector<const Token*> tokens;
    FieldErrors errors;  // a filter value django-filter rejects (400)
};

struct TokenVisibility {
    // The caller sees every token (superuser, or global view_token where the version honours
    // it); otherwise only their own.
    bool all = false;
    // Tokens with equal sort keys come in a random order (PostgreSQL gives no order to ties).
    bool unstable_ties = false;
};

// The caller's visible tokens after filters, search and ordering.
TokenSelection select_tokens(const Store& store, const User& caller, const QueryParams& params,
                             TokenVisibility visibility);

// Every user, filtered by username and ordered by it (the caller may view users).
std::vector<const User*> select_users(const Store& store, const QueryParams& params);

// The page window for `count` results, or nullopt for DRF's 404 "Invalid page.".
// max_page_size 0 means no cap.
std::optional<PageWindow> paginate(std::size_t count, const QueryParams& params, std::int64_t default_page_size,
                                   std::int64_t max_page_size);

}  // namespace sandbox

// SPDX-License-Identifier: MIT
#include "listing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <random>
#include <regex>

namespace sandbox {
namespace {

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

bool icontains(const std::string& haystack, const std::string& needle_lower) {
    const auto it = std::search(haystack.begin(), haystack.end(), needle_lower.begin(), needle_lower.end(),
                                [](char h, char n) { return std::tolower(static_cast<unsigned char>(h)) == n; });
    return it != haystack.end() || needle_lower.empty();
}

const std::string& username_of(const Store& store, const Token& token) {
    static const std::string none;
    const User* user = store.find_user(token.user);
    return user != nullptr ? user->username : none;
}

// Compares two optionals like PostgreSQL ascending: NULLs last.
template <typename T>
int compare_nullable(const std::optional<T>& a, const std::optional<T>& b) {
    if (!a && !b) {
        return 0;
    }
    if (!a) {
        return 1;
    }
    if (!b) {
        return -1;
    }
    return *a < *b ? -1 : (*b < *a ? 1 : 0);
}

template <typename T>
int compare_values(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

enum class SortField { pk, identifier, intent, user, description, expires, expiring, managed };

struct SortTerm {
    SortField field;
    bool descending;
};

int compare_field(SortField field, const Token& a, const Token& b) {
    switch (field) {
        case SortField::identifier:
            return compare_values(a.identifier, b.identifier);
        case SortField::intent:
            return compare_values(a.intent, b.intent);
        case SortField::user:
            return compare_values(a.user, b.user);
        case SortField::description:
            return compare_values(a.description, b.description);
        case SortField::expires:
            return compare_nullable(a.expires, b.expires);
        case SortField::expiring:
            return compare_values(a.expiring, b.expiring);
        case SortField::managed:
            return compare_nullable(a.managed, b.managed);
        case SortField::pk:
            break;
    }
    return compare_values(a.pk, b.pk);
}

std::string strip(const std::string& s) {
    const char* whitespace = " \t\n\r\v\f";
    const auto first = s.find_first_not_of(whitespace);
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(whitespace) - first + 1);
}

std::vector<std::string> split_list(const std::string& text, const char* separators) {
    std::vector<std::string> out;
    std::string current;
    for (char c : text) {
        if (std::string_view(separators).find(c) != std::string_view::npos) {
            if (!current.empty()) {
                out.push_back(current);
            }
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty()) {
        out.push_back(current);
    }
    return out;
}

// DRF OrderingFilter: unknown fields are dropped; nothing valid left means the default.
std::vector<SortTerm> ordering_terms(const QueryParams& params) {
    static const std::map<std::string, SortField> valid = {{"pk", SortField::pk},
                                                           {"identifier", SortField::identifier},
                                                           {"intent", SortField::intent},
                                                           {"user", SortField::user},
                                                           {"description", SortField::description},
                                                           {"expires", SortField::expires},
                                                           {"expiring", SortField::expiring},
                                                           {"managed", SortField::managed}};
    std::vector<SortTerm> terms;
    if (const auto ordering = last_param(params, "ordering")) {
        // DRF strips each term; an empty one, like an unknown one, is dropped.
        for (const auto& raw : split_list(*ordering, ",")) {
            const std::string term = strip(raw);
            if (term.empty()) {
                continue;
            }
            const bool descending = term[0] == '-';
            const auto it = valid.find(descending ? term.substr(1) : term);
            if (it != valid.end()) {
                terms.push_back(SortTerm{it->second, descending});
            }
        }
    }
    if (terms.empty()) {
        terms = {{SortField::identifier, false}, {SortField::expires, false}};
    }
    return terms;
}

}  // namespace

std::optional<std::string> last_param(const QueryParams& params, const std::string& name) {
    const auto [first, last] = params.equal_range(name);
    if (first == last) {
        return std::nullopt;
    }
    return std::prev(last)->second;
}

TokenSelection select_tokens(const Store& store, const User& caller, const QueryParams& params,
                             TokenVisibility visibility) {
    TokenSelection out;
    // django-filter ignores empty values.
    auto filter = [&](const char* name) -> std::optional<std::string> {
        auto value = last_param(params, name);
        if (value && value->empty()) {
            return std::nullopt;
        }
        return value;
    };
    const auto identifier = filter("identifier");
    const auto intent = filter("intent");
    const auto username = filter("user__username");
    const auto description = filter("description");
    const auto managed = filter("managed");
    std::optional<Micros> expires;
    if (const auto text = filter("expires")) {
        expires = parse_django_datetime(*text);
        if (!expires) {
            out.errors.push_back({"expires", {"Enter a valid date/time."}});
        }
    }
    if (intent && !is_intent_choice(*intent)) {
        out.errors.push_back(
            {"intent", {fmt::format("Select a valid choice. {} is not one of the available choices.", *intent)}});
    }
    if (!out.errors.empty()) {
        return out;
    }
    // BooleanWidget: true/false/1/0 in any case; anything else means no filter.
    std::optional<bool> expiring;
    if (const auto text = filter("expiring")) {
        const std::string v = lower(*text);
        if (v == "true" || v == "1") {
            expiring = true;
        } else if (v == "false" || v == "0") {
            expiring = false;
        }
    }
    // SearchFilter: every term must match one of the search fields.
    std::vector<std::string> terms;
    if (const auto search = last_param(params, "search")) {
        terms = split_list(lower(*search), " \t\n\r,");
    }

    for (const Token& token : store.tokens()) {
        if (!visibility.all && token.user != caller.pk) {
            continue;
        }
        if ((identifier && token.identifier != *identifier) || (intent && token.intent != *intent) ||
            (username && username_of(store, token) != *username) ||
            (description && token.description != *description) || (managed && token.managed != *managed) ||
            (expires && token.expires != *expires) || (expiring && token.expiring != *expiring)) {
            continue;
        }
        const bool found = std::all_of(terms.begin(), terms.end(), [&](const std::string& term) {
            return icontains(token.identifier, term) || icontains(token.intent, term) ||
                   icontains(username_of(store, token), term) || icontains(token.description, term);
        });
        if (found) {
            out.tokens.push_back(&token);
        }
    }

    const auto order = ordering_terms(params);
    // Identifiers are unique and the store iterates them in order: sorting by identifier first
    // needs no sort at all (the common, default case, and the one benchmarks hit).
    if (order.front().field == SortField::identifier) {
        if (order.front().descending) {
            std::reverse(out.tokens.begin(), out.tokens.end());
        }
        return out;
    }
    if (visibility.unstable_ties) {
        // Shuffled, then sorted stably: equal keys keep the random order.
        thread_local std::mt19937_64 generator{std::random_device{}()};
        std::shuffle(out.tokens.begin(), out.tokens.end(), generator);
    }
    std::stable_sort(out.tokens.begin(), out.tokens.end(), [&](const Token* a, const Token* b) {
        for (const auto& term : order) {
            // Descending in PostgreSQL puts NULLs first: exactly the reversed comparison.
            const int c = compare_field(term.field, *a, *b);
            if (c != 0) {
                return term.descending ? c > 0 : c < 0;
            }
        }
        return false;
    });
    return out;
}

std::vector<const User*> select_users(const Store& store, const QueryParams& params) {
    std::vector<const User*> out;
    auto username = last_param(params, "username");
    if (username && username->empty()) {
        username.reset();
    }
    for (const auto& [pk, user] : store.users()) {
        if (username && user.username != *username) {
            continue;
        }
        out.push_back(&user);
    }
    // UserViewSet orders by username.
    std::stable_sort(out.begin(), out.end(), [](const User* a, const User* b) { return a->username < b->username; });
    return out;
}

std::optional<PageWindow> paginate(std::size_t count, const QueryParams& params, std::int64_t default_page_size,
                                   std::int64_t max_page_size) {
    static const std::regex positive_re(R"(^\s*\+?\d+\s*$)");
    PageWindow page;
    page.per_page = default_page_size;
    page.count = static_cast<std::int64_t>(count);
    // DRF get_page_size: a non-positive or malformed page_size falls back to the default.
    if (const auto size = last_param(params, "page_size"); size && std::regex_match(*size, positive_re)) {
        try {
            const auto n = std::stoll(*size);
            if (n > 0) {
                page.per_page = n;
            }
        } catch (const std::exception&) {
            // Out of range for int64: Python would take it and cap it.
            page.per_page = INT64_MAX;
        }
    }
    if (max_page_size > 0) {
        page.per_page = std::min(page.per_page, max_page_size);
    }
    page.num_pages = count == 0 ? 1 : (page.count + page.per_page - 1) / page.per_page;
    // Django Paginator.validate_number: int(), at least 1, at most num_pages; "last" is allowed.
    if (const auto number = last_param(params, "page")) {
        if (*number == "last") {
            page.number = page.num_pages;
        } else {
            static const std::regex int_re(R"(^\s*[+-]?\d+\s*$)");
            if (!std::regex_match(*number, int_re) || number->size() > 18) {
                return std::nullopt;
            }
            page.number = std::stoll(*number);
            if (page.number < 1 || page.number > page.num_pages) {
                return std::nullopt;
            }
        }
    }
    page.begin = static_cast<std::size_t>((page.number - 1) * page.per_page);
    const std::size_t remaining = count > page.begin ? count - page.begin : 0;
    page.end = page.begin + std::min(remaining, static_cast<std::size_t>(page.per_page));
    return page;
}

}  // namespace sandbox

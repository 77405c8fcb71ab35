// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "aktoken/commands/command.h"
#include "aktoken/commands/context.h"
#include "aktoken/output/fields.h"
#include "aktoken/output/list.h"

namespace aktoken::commands {

// The flags of `aktoken list` as the user gave them.
struct ListFlags {
    // `--NAME VALUE` of each token field that is a filter, by position in output::token_fields().
    std::vector<std::optional<std::string>> field_filters =
        std::vector<std::optional<std::string>>(output::token_fields().size());
    bool expiring = false;
    bool no_expiring = false;
    std::optional<std::string> search;
    std::optional<std::string> ordering;
    std::optional<std::string> expiring_within;
    bool expired = false;
    std::optional<std::string> limit;
    std::optional<std::string> columns;
    bool no_headers = false;

    // The value of the filter of the token field `name` ("intent", "user", ...).
    std::optional<std::string>& field_filter(std::string_view name);
    // Declares every filter, --no-headers and, unless `columns` is false, --columns.
    void define(Arguments& arguments, bool columns = true);
    // The first filter given, by its flag ("--intent"); nullopt when none is.
    std::optional<std::string> first_filter() const;
};

// The most a listing may keep in memory, counted per token as the struct and twice its JSON (the
// text and the fields decoded from it): about 20,000 tokens of authentik's usual size, inside
// aktoken's 256 MiB ceiling together with the pages in flight and the report.
inline constexpr std::size_t kMaxKeptListingBytes = std::size_t{64} << 20;

// What a token counts against kMaxKeptListingBytes.
inline std::size_t kept_size(const model::Token& token) { return sizeof(model::Token) + 2 * token.json.size(); }

// The checked request: server-side query and the filters no authentik filter offers.
struct ListPlan {
    api::Query query;
    std::optional<std::chrono::seconds> expiring_within;
    bool expired = false;
    // --user PK: authentik filters tokens by username only, so a pk is matched here.
    std::optional<std::int64_t> user_pk;
    std::optional<std::int64_t> limit;
    std::vector<std::string> columns;
    bool headers = true;
    // Stop after the first page when the listing has more pages than this.
    std::optional<std::int64_t> max_pages;
    // Refuse the listing (exit 8) once the tokens kept from it exceed this many bytes:
    // set for whoever holds them all (check, the aligned table), unset where they stream.
    std::optional<std::size_t> max_kept_bytes = kMaxKeptListingBytes;
};

// The fields authentik can order tokens by.
inline constexpr const char* kOrderingFields[] = {"identifier", "intent",   "user",    "description",
                                                  "expires",    "expiring", "managed", "pk"};

// Checks every flag; throws Error(usage) before anything is sent.
ListPlan plan_list(const ListFlags& flags);

// Whether a token passes the client-side filters at `now`.
bool passes_client_filters(const ListPlan& plan, const model::Token& token, util::Timestamp now);

// Reads every page of the plan's query and passes each page's tokens that pass the client-side
// filters at `now` to on_page, in server order, until the --limit is reached. After the first
// page (which gives total_pages) the others are fetched several at once (Client::list_token_pages,
// --parallel transfers); a server that gives no total_pages is followed through `next` one page
// at a time. Shared by list, check and list_named_tokens. Returns false when it stopped after the first page because of
// plan.max_pages.
bool for_each_listed_page(Context& context, const ListPlan& plan, util::Timestamp now,
                          const std::function<void(std::vector<model::Token>&)>& on_page);

// Bulk commands read the tokens they name with list pages instead of one GET each when they
// name at least kListedInsteadOfGetsFrom tokens and the whole listing takes at most
// 1/kListedInsteadOfGets as many requests as the GETs would.
inline constexpr std::size_t kListedInsteadOfGetsFrom = 20;
inline constexpr std::int64_t kListedInsteadOfGets = 4;

// The tokens named by `identifiers`, read with list pages when that pays off (see above): the
// first page tells how many pages there are, the others follow in parallel when few enough.
// Tokens the listing does not show (or did not get to) are absent: read those with GET, which
// also tells why one is missing. Empty when too few identifiers are named.
std::unordered_map<std::string, model::Token> list_named_tokens(Context& context,
                                                                const std::vector<std::string>& identifiers);

// `aktoken list`: follows the pages until `next` is 0, printing each page as it arrives.
Result run_list(Context& context, const ListPlan& plan);

// Notes the columns a table left out to fit the terminal (none: nothing).
void note_left_out(Context& context, const std::vector<std::string>& left_out);

}  // namespace aktoken::commands

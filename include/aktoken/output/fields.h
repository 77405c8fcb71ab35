// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aktoken/model/token.h"
#include "aktoken/output/render.h"

namespace aktoken::output {

// One field of a token: the one row that get's blocks, list's columns and --columns, list's
// and check's filters, and update's comparison of what was asked with what was stored read.
struct TokenField {
    std::string_view name;  // --columns name, header (upper-cased), get's label, update's field name
    // The cell in tsv: the server's value as text.
    std::string (*text)(const model::Token& token);
    // The cell in table and wide, read by people, when it differs from text (nullptr: text).
    std::string (*table_text)(const model::Token& token, const Style& style) = nullptr;
    // The value in get's blocks, escaped for a terminal but for the colour it adds (nullptr: not
    // a line of the blocks).
    std::string (*block_text)(const model::Token& token, const Style& style) = nullptr;
    // Tables on a narrow terminal: free text is shortened first, then whole columns are left out,
    // the lowest rank first; the column of the highest rank always stays.
    int fit_rank = 0;

    // list and check: `--NAME VALUE` sends the query parameter `filter` ("": not a filter).
    std::string_view filter = {};
    std::string_view filter_type = {};
    std::string_view filter_help = {};

    // update and create: the text of the value a patch asks for, comparable with `stored`
    // (nullptr: not a field a write sets); `patch_name` names it in messages.
    std::optional<std::string> (*requested)(const model::TokenPatch& patch) = nullptr;
    std::string (*stored)(const model::Token& token) = nullptr;
    std::string_view patch_name = {};

    // Free text, which a narrow table may shorten with "…"; any other value is shown whole or not
    // at all, since a cut identifier, pk, username or time would read as another value.
    bool free_text = false;
};

// Every token field, in the order --columns lists them.
std::span<const TokenField> token_fields();

// The field of that name, or nullptr.
const TokenField* find_token_field(std::string_view name);

// An expiry as shown to people: RFC 3339 UTC, or "never" for none.
std::string timestamp_or_never(const std::optional<util::Timestamp>& at);

}  // namespace aktoken::output

// SPDX-License-Identifier: MIT
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/model/token.h"
#include "aktoken/util/time.h"

namespace aktoken::output {

// How results are printed (-o). Single tokens (get, update) print `table` as blocks and `wide`
// like table; lists use every format.
enum class Format { table, wide, json, jsonl, tsv, id };

// The format of that name; nullopt for an unknown name.
std::optional<Format> parse_format(std::string_view name);

// The name of a format ("jsonl").
std::string_view format_name(Format format);

// The accepted format names, for messages and help ("table, wide, json, jsonl, tsv, id").
std::string format_names();

// What a renderer needs to know about where its text goes.
struct Style {
    bool terminal = false;  // stdout is a terminal: relative times are added
    bool color = false;     // ANSI colour is allowed
    util::Timestamp now{};
    int width = 0;  // terminal columns that tables are fitted into; 0: unlimited
};

// One aligned `field: value` block for a token; a retired generation gets a `retired:` line
// after its fields, with its until-time and the token it belongs to.
std::string token_block(const model::Token& token, const Style& style);

// An `expires` value as shown to people: RFC 3339 UTC with the time left on a terminal, or "never"
// for a token that does not expire (whatever `expires` it stores). Past expiry it is red, unless
// the token is a retired generation, whose expiry is its until-time and no problem.
std::string expires_text(const model::Token& token, const Style& style);

// A retired generation (rotate --overlap, model/generations.h) as people read it in list's
// EXPIRES cell: "retired, until 2026-12-08T17:39:00Z" ("retired, until in 6d 23h" on a terminal);
// nullopt for any other token.
std::optional<std::string> retired_cell(const model::Token& token, const Style& style);

class ListWriter;

// Prints tokens one at a time, as `get` shows them: blocks separated by a blank line for table,
// the server's objects for json (one object unless `several`; several: an array), list rows for
// the others. Every format but wide prints each token as it is added; wide keeps its cells
// until finish() to align them.
class TokenWriter {
public:
    TokenWriter(bool several, Format format, const Style& style);
    TokenWriter(const TokenWriter&) = delete;
    TokenWriter& operator=(const TokenWriter&) = delete;
    ~TokenWriter();

    // The text to print now.
    std::string add(const model::Token& token);
    // The rest: wide's rows, json's closing bracket.
    std::string finish();
    // What is kept until finish(), in bytes.
    std::size_t kept_bytes() const;
    // The columns finish() left out to fit the terminal (ListWriter::left_out).
    const std::vector<std::string>& left_out() const;

private:
    Format format_;
    Style style_;
    std::size_t count_ = 0;
    std::unique_ptr<ListWriter> rows_;  // for json arrays and the list formats
};

// Tokens as a TokenWriter prints them.
std::string render_tokens(const std::vector<model::Token>& tokens, bool several, Format format, const Style& style);

// A token with its key (create --show-key): json adds a "key" member, the others a `key:` line
// and the key alone on the next.
std::string render_token_with_key(const model::Token& token, std::string_view key, Format format, const Style& style);

// Wraps text in an ANSI colour when allowed (codes: 31 red, 33 yellow, 2 dim, 1 bold).
std::string paint(std::string_view text, int code, bool color);

}  // namespace aktoken::output

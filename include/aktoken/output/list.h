// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/model/token.h"
#include "aktoken/output/fields.h"
#include "aktoken/output/render.h"

namespace aktoken::output {

// The columns `table` shows when --columns is not given.
inline constexpr const char* kTableColumns[] = {"identifier", "intent", "user", "expires", "description"};

// The columns `wide` shows when --columns is not given.
inline constexpr const char* kWideColumns[] = {"identifier", "pk",       "intent",  "user",
                                               "expires",    "expiring", "managed", "description"};

// How a list is printed.
struct ListOptions {
    Format format = Format::table;
    std::vector<std::string> columns;  // for table, wide and tsv; empty: the format's defaults
    bool headers = true;               // table, wide and tsv print a header line (--no-headers clears it)
    Style style;                       // terminal: relative EXPIRES and width fitting in table and wide
};

// Parses a --columns value ("identifier,user.pk"); throws Error(usage) for an empty list, an empty
// or an unknown name. Duplicates are kept.
std::vector<std::string> parse_columns(std::string_view spec);

// Formats a list page by page: json, jsonl, tsv and id text is returned as each page arrives and
// nothing of it is kept; table and wide keep the cell strings until finish() because the column
// widths depend on every row.
class ListWriter {
public:
    // Checks options.columns (Error(usage) for an unknown name) and prepares the format.
    explicit ListWriter(ListOptions options);

    // Takes the next page, or token, and returns the text to print now ("" for table and wide).
    std::string add_page(const std::vector<model::Token>& page);
    std::string add(const model::Token& token);

    // Returns the rest of the output: table and wide rows, json's closing bracket ("[]\n" if empty).
    std::string finish();

    // The headers of the columns finish() left out to fit the terminal, in column order.
    const std::vector<std::string>& left_out() const { return left_out_; }

    // The number of tokens added so far.
    std::size_t count() const { return count_; }

    // The bytes of the cells kept until finish() (table and wide; 0 for the others).
    std::size_t kept_bytes() const { return kept_bytes_; }

    // Whether the format keeps every row until finish() (table and wide align their columns);
    // the others print each page as it comes.
    bool keeps_rows() const { return options_.format == Format::table || options_.format == Format::wide; }

private:
    // The unescaped text of one cell; table cells may show EXPIRES relative to the style's now.
    std::string cell(const model::Token& token, const TokenField& column, bool for_table) const;

    // The aligned, fitted table of the kept cells; sets left_out_.
    std::string table_text();

    // Fits a table of columns `widths` wide (free text can go down to `minimums`) into
    // `available` terminal columns: returns the columns shown and narrows free text in `widths`.
    std::vector<bool> fit(std::vector<std::size_t>& widths, const std::vector<std::size_t>& minimums,
                          std::size_t available) const;

    ListOptions options_;
    std::vector<const TokenField*> columns_;
    std::vector<std::string> names_;
    std::size_t count_ = 0;
    std::size_t kept_bytes_ = 0;
    // table and wide: one escaped cell per column, row after row.
    std::vector<std::string> cells_;
    // table and wide: per row, whether EXPIRES is painted red (expired and expiring, colour on).
    std::vector<bool> expired_;
    std::vector<std::string> left_out_;
};

// The number of terminal columns text takes: its UTF-8 code points (continuation bytes are not counted).
std::size_t display_width(std::string_view text);

// Shortens text to at most `width` code points, ending with "…" when anything was cut; never splits a
// UTF-8 sequence.
std::string truncate_display(std::string_view text, std::size_t width);

// Makes a value safe for one line of a terminal, the one escaping of every text format and
// message (util::escape_controls): \n, \r, \t as such, other C0 controls, DEL and bytes that are
// not UTF-8 as \xHH, C1 and bidirectional controls as \uHHHH.
std::string escape_cell(std::string_view text);

// Indents every line of a pretty JSON object by one level, so that it reads as an element of a
// pretty array.
std::string indent_element(const std::string& pretty);

// Escapes a TSV field as escape_cell does, and a backslash as \\, so that tab, newline and
// escapes in the value cannot be mistaken for the layout.
std::string escape_tsv(std::string_view text);

}  // namespace aktoken::output

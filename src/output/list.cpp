// SPDX-License-Identifier: MIT
#include "aktoken/output/list.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/time.h"
#include "aktoken/util/values.h"

namespace aktoken::output {

namespace {

constexpr std::string_view kEllipsis = "\u2026";
constexpr std::string_view kSeparator = "  ";

std::string valid_names() {
    std::string names;
    for (const TokenField& field : token_fields()) {
        names += names.empty() ? "" : ", ";
        names += field.name;
    }
    return names;
}

[[noreturn]] void column_error(const std::string& what) {
    throw Error(ErrorKind::usage, fmt::format("--columns: {} (valid: {})", what, valid_names()));
}

const TokenField& column_named(std::string_view name) {
    if (const TokenField* field = find_token_field(name)) {
        return *field;
    }
    // Quoted so that a control character in the argument cannot garble the message.
    column_error(fmt::format("unknown column {}", util::quoted(name)));
}

std::string to_upper(std::string_view text) {
    std::string upper(text);
    for (char& c : upper) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return upper;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U; }

}  // namespace

std::string indent_element(const std::string& pretty) {
    // String values never contain a raw newline (JSON escapes it), so every newline is a line
    // break of the layout.
    std::string out = "  ";
    out.reserve(pretty.size() + pretty.size() / 8);
    for (char c : pretty) {
        out += c;
        if (c == '\n') {
            out += "  ";
        }
    }
    return out;
}

std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation(c); }));
}

std::string truncate_display(std::string_view text, std::size_t width) {
    if (display_width(text) <= width) {
        return std::string(text);
    }
    if (width == 0) {
        return {};
    }
    // Keep width - 1 code points: cut before the lead byte of the width-th one, so that a
    // multi-byte sequence is either kept whole or dropped whole.
    std::size_t points = 0;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
        if (!is_continuation(text[end])) {
            if (points == width - 1) {
                break;
            }
            ++points;
        }
    }
    std::string out(text.substr(0, end));
    out += kEllipsis;
    return out;
}

std::string escape_cell(std::string_view text) { return util::escape_controls(text); }

// The backslash too, so that a reader can undo the escaping of a field.
std::string escape_tsv(std::string_view text) { return util::escape_controls(text, "\\"); }

std::vector<std::string> parse_columns(std::string_view spec) {
    if (util::trim(spec).empty()) {
        column_error("no column given");
    }
    std::vector<std::string> names;
    for (const std::string& part : util::split(spec, ',')) {
        const std::string_view name = util::trim(part);
        if (name.empty()) {
            column_error(fmt::format("empty column name in {}", util::quoted(spec)));
        }
        column_named(name);
        names.emplace_back(name);
    }
    return names;
}

ListWriter::ListWriter(ListOptions options) : options_(std::move(options)) {
    if (options_.columns.empty()) {
        if (options_.format == Format::wide) {
            names_.assign(std::begin(kWideColumns), std::end(kWideColumns));
        } else {
            names_.assign(std::begin(kTableColumns), std::end(kTableColumns));
        }
    } else {
        names_ = options_.columns;
    }
    for (const std::string& name : names_) {
        columns_.push_back(&column_named(name));
    }
}

std::string ListWriter::cell(const model::Token& token, const TokenField& column, bool for_table) const {
    if (for_table && column.table_text != nullptr) {
        return column.table_text(token, options_.style);
    }
    return column.text(token);
}

std::string ListWriter::add_page(const std::vector<model::Token>& page) {
    std::string out;
    for (const model::Token& token : page) {
        out += add(token);
    }
    return out;
}

std::string ListWriter::add(const model::Token& token) {
    std::string out;
    switch (options_.format) {
        case Format::table:
        case Format::wide: {
            for (const TokenField* column : columns_) {
                cells_.push_back(escape_cell(cell(token, *column, true)));
                kept_bytes_ += sizeof(std::string) + cells_.back().capacity();
            }
            // Same rule as expires_text: only a token that does expire is shown as a problem.
            expired_.push_back(options_.style.color && token.expiring && token.expires &&
                               *token.expires <= options_.style.now && !retired_cell(token, options_.style));
            break;
        }
        case Format::json:
            out += count_ == 0 ? "[\n" : ",\n";
            out += indent_element(json::pretty(token.json));
            break;
        case Format::jsonl:
            out += token.json;
            out += '\n';
            break;
        case Format::tsv: {
            // The header waits for the first token: an empty list prints nothing at all.
            if (count_ == 0 && options_.headers) {
                out += util::join(names_, "\t");
                out += '\n';
            }
            for (std::size_t c = 0; c < columns_.size(); ++c) {
                out += c == 0 ? "" : "\t";
                out += escape_tsv(cell(token, *columns_[c], false));
            }
            out += '\n';
            break;
        }
        case Format::id:
            out += escape_cell(token.identifier);
            out += '\n';
            break;
    }
    ++count_;
    return out;
}

std::string ListWriter::finish() {
    switch (options_.format) {
        case Format::table:
        case Format::wide:
            return table_text();
        case Format::json:
            return count_ == 0 ? "[]\n" : "\n]\n";
        case Format::jsonl:
        case Format::tsv:
        case Format::id:
            break;
    }
    return {};
}

std::vector<bool> ListWriter::fit(std::vector<std::size_t>& widths, const std::vector<std::size_t>& minimums,
                                  std::size_t available) const {
    const std::size_t n = widths.size();
    std::size_t total = kSeparator.size() * (n - 1);
    for (std::size_t width : widths) {
        total += width;
    }
    if (total <= available) {
        return std::vector<bool>(n, true);
    }
    // Like gh's tables: free text is shortened, values that name something (identifier, pk,
    // username, a time) are never cut, since a cut one reads as another value or cannot be
    // pasted into the next command. What still does not fit is left out whole, the least needed
    // first; a column too wide for the room left is passed over, and a narrower, less needed one
    // may still fit.
    std::vector<std::size_t> order(n);
    for (std::size_t c = 0; c < n; ++c) {
        order[c] = c;
    }
    std::stable_sort(order.begin(), order.end(),
                     [this](std::size_t a, std::size_t b) { return columns_[a]->fit_rank > columns_[b]->fit_rank; });
    std::vector<bool> shown(n, false);
    std::size_t used = 0;
    bool first = true;
    for (std::size_t c : order) {
        const std::size_t need = (columns_[c]->free_text ? minimums[c] : widths[c]) + (first ? 0 : kSeparator.size());
        // The most needed column stays even when it alone is too wide: the terminal wraps it.
        if (first || used + need <= available) {
            shown[c] = true;
            used += need;
            first = false;
        }
    }
    // What is left over goes back to the shortened free text, the most needed first.
    std::size_t spare = available > used ? available - used : 0;
    for (std::size_t c : order) {
        if (shown[c] && columns_[c]->free_text) {
            const std::size_t width = std::min(widths[c], minimums[c] + spare);
            spare -= width - minimums[c];
            widths[c] = width;
        }
    }
    return shown;
}

std::string ListWriter::table_text() {
    const std::size_t n = columns_.size();
    if (cells_.empty() || n == 0) {
        return {};
    }
    const std::size_t rows = cells_.size() / n;

    std::vector<std::string> headers;
    std::vector<std::size_t> widths(n, 0);
    std::vector<std::size_t> minimums(n, 0);
    for (std::size_t c = 0; c < n; ++c) {
        headers.push_back(to_upper(names_[c]));
        const std::size_t header_width = display_width(headers[c]);
        if (options_.headers) {
            widths[c] = header_width;
        }
        for (std::size_t r = 0; r < rows; ++r) {
            widths[c] = std::max(widths[c], display_width(cells_[r * n + c]));
        }
        minimums[c] = std::min(widths[c], header_width);
    }

    std::vector<bool> shown(n, true);
    if (options_.style.terminal && options_.style.width > 0) {
        shown = fit(widths, minimums, static_cast<std::size_t>(options_.style.width));
    }
    left_out_.clear();
    std::vector<std::size_t> visible;
    for (std::size_t c = 0; c < n; ++c) {
        if (shown[c]) {
            visible.push_back(c);
        } else {
            left_out_.push_back(headers[c]);
        }
    }

    std::string out;
    auto append_line = [&](auto&& text_of, auto&& painted) {
        std::string line;
        for (std::size_t i = 0; i < visible.size(); ++i) {
            const std::size_t c = visible[i];
            const std::string text = truncate_display(text_of(c), widths[c]);
            line += painted(c) ? paint(text, 31, true) : text;
            if (i + 1 < visible.size()) {
                line.append(widths[c] - display_width(text), ' ');
                line += kSeparator;
            }
        }
        // An empty last cell would leave the padding of the one before it behind.
        out += util::trim_right(line);
        out += '\n';
    };
    if (options_.headers) {
        append_line([&](std::size_t c) -> const std::string& { return headers[c]; }, [](std::size_t) { return false; });
    }
    for (std::size_t r = 0; r < rows; ++r) {
        append_line([&](std::size_t c) -> const std::string& { return cells_[r * n + c]; },
                    [&](std::size_t c) { return expired_[r] && columns_[c]->name == "expires"; });
    }
    return out;
}

}  // namespace aktoken::output

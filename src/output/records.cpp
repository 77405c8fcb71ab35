// SPDX-License-Identifier: MIT
#include "aktoken/output/records.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "aktoken/json/builder.h"
#include "aktoken/output/list.h"
#include "aktoken/util/secret.h"
#include "aktoken/util/strings.h"

namespace aktoken::output {
namespace {

constexpr std::string_view kSeparator = "  ";

std::string header_of(std::string_view name) {
    std::string header(name);
    for (char& c : header) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        } else if (c == '_') {
            c = ' ';
        }
    }
    return header;
}

void write_value(json::Builder& builder, const Value& value) {
    switch (value.type) {
        case Value::Type::null:
            builder.null();
            break;
        case Value::Type::boolean:
            builder.boolean(value.flag);
            break;
        case Value::Type::integer: {
            std::int64_t number = 0;
            std::from_chars(value.data.data(), value.data.data() + value.data.size(), number);
            builder.number(number);
            break;
        }
        case Value::Type::string:
            builder.string(value.data);
            break;
        case Value::Type::json:
            builder.raw(value.data);
            break;
    }
}

std::string object_json(const Record& record, bool pretty) {
    json::Builder builder(pretty);
    builder.begin_object();
    for (const Field& field : record.fields()) {
        if (field.in_json) {
            builder.key(field.name);
            write_value(builder, field.value);
        }
    }
    builder.end_object();
    return builder.text();
}

const std::string& text_of(const Record& record, const std::string& field) {
    static const std::string absent = "-";
    const Value* value = record.find(field);
    return value != nullptr ? value->text : absent;
}

}  // namespace

Value Value::null(std::string text) { return {Type::null, {}, false, std::move(text), 0}; }

Value Value::string(std::string value) {
    std::string text = value;
    return {Type::string, std::move(value), false, std::move(text), 0};
}

Value Value::string(std::string value, std::string text) {
    return {Type::string, std::move(value), false, std::move(text), 0};
}

Value Value::optional(const std::optional<std::string>& value, std::string absent_text) {
    return value ? string(*value) : null(std::move(absent_text));
}

Value Value::boolean(bool value) { return boolean(value, value ? "true" : "false"); }

Value Value::boolean(bool value, std::string text) { return {Type::boolean, {}, value, std::move(text), 0}; }

Value Value::integer(std::int64_t value) { return integer(value, std::to_string(value)); }

Value Value::integer(std::int64_t value, std::string text) {
    return {Type::integer, std::to_string(value), false, std::move(text), 0};
}

Value Value::json(std::string json_text, std::string text) {
    return {Type::json, std::move(json_text), false, std::move(text), 0};
}

Record& Record::add(std::string name, Value value) {
    fields_.push_back({std::move(name), std::move(value), true});
    return *this;
}

Record& Record::add_text(std::string name, std::string text, int color) {
    Value value = Value::null(std::move(text));
    value.color = color;
    fields_.push_back({std::move(name), std::move(value), false});
    return *this;
}

const Value* Record::find(std::string_view name) const {
    for (const Field& field : fields_) {
        if (field.name == name) {
            return &field.value;
        }
    }
    return nullptr;
}

void Record::wipe() {
    for (Field& field : fields_) {
        util::wipe(field.value.data);
        util::wipe(field.value.text);
    }
}

RecordWriter::RecordWriter(Format format, Style style, View view) : style_(style), view_(std::move(view)) {
    const Layout text = view_.text == View::Text::table    ? Layout::table
                        : view_.text == View::Text::blocks ? Layout::blocks
                                                           : Layout::lines;
    switch (format) {
        case Format::json:
            layout_ = Layout::json;
            break;
        case Format::jsonl:
            layout_ = Layout::jsonl;
            break;
        case Format::tsv:
            layout_ = view_.tsv ? Layout::tsv : text;
            break;
        case Format::id:
            layout_ = view_.id_field.empty() ? text : Layout::id;
            break;
        case Format::table:
        case Format::wide:
            layout_ = text;
            break;
    }
    if (view_.tsv_columns.empty()) {
        view_.tsv_columns = view_.columns;
    }
}

std::string RecordWriter::add(const Record& record) {
    std::string out;
    switch (layout_) {
        case Layout::json:
            if (view_.single) {
                json_ = object_json(record, true);
            } else {
                json_ += count_ == 0 ? "[\n" : ",\n";
                json_ += indent_element(object_json(record, true));
            }
            break;
        case Layout::jsonl:
            out = object_json(record, false);
            out += '\n';
            break;
        case Layout::table:
        case Layout::blocks: {
            std::vector<std::string> row;
            std::vector<int> colors;
            for (const Column& column : view_.columns) {
                const Value* value = record.find(column.field);
                row.push_back(escape_cell(value != nullptr ? value->text : "-"));
                colors.push_back(value != nullptr && style_.color ? value->color : 0);
            }
            cells_.push_back(std::move(row));
            colors_.push_back(std::move(colors));
            const Value* below = view_.below.field.empty() ? nullptr : record.find(view_.below.field);
            if (layout_ == Layout::table && below != nullptr && below->type != Value::Type::null) {
                below_ += escape_cell(view_.below.name + " of " + text_of(record, view_.id_field));
                below_ += ":\n";
                std::string value = escape_cell(below->text);
                below_ += value;
                below_ += '\n';
                util::wipe(value);
            }
            break;
        }
        case Layout::lines:
            // A prepared line may span lines of its own (a dry run's request and body).
            for (const std::string& line : util::split(text_of(record, view_.line_field), '\n')) {
                out += escape_cell(line);
                out += '\n';
            }
            break;
        case Layout::tsv:
            if (count_ == 0 && view_.headers) {
                for (std::size_t c = 0; c < view_.tsv_columns.size(); ++c) {
                    out += c == 0 ? "" : "\t";
                    out += view_.tsv_columns[c].name;
                }
                out += '\n';
            }
            for (std::size_t c = 0; c < view_.tsv_columns.size(); ++c) {
                out += c == 0 ? "" : "\t";
                out += escape_tsv(text_of(record, view_.tsv_columns[c].field));
            }
            out += '\n';
            break;
        case Layout::id:
            out = escape_cell(text_of(record, view_.id_field));
            out += '\n';
            break;
    }
    ++count_;
    return out;
}

std::string RecordWriter::finish() {
    switch (layout_) {
        case Layout::json:
            if (view_.single) {
                return json_.empty() ? std::string() : json_ + "\n";
            }
            return count_ == 0 ? "[]\n" : json_ + "\n]\n";
        case Layout::table:
            return table_text();
        case Layout::blocks:
            return blocks_text();
        case Layout::jsonl:
        case Layout::lines:
        case Layout::tsv:
        case Layout::id:
            break;
    }
    return {};
}

void RecordWriter::wipe() {
    util::wipe(json_);
    util::wipe(below_);
    for (auto& row : cells_) {
        for (std::string& cell : row) {
            util::wipe(cell);
        }
    }
}

std::string RecordWriter::table_text() {
    std::string out = view_.title.empty() ? std::string() : view_.title + '\n';
    if (cells_.empty()) {
        return out;
    }
    const std::size_t n = view_.columns.size();
    std::vector<std::string> headers;
    std::vector<std::size_t> widths(n, 0);
    for (std::size_t c = 0; c < n; ++c) {
        headers.push_back(header_of(view_.columns[c].name));
        if (view_.headers) {
            widths[c] = display_width(headers[c]);
        }
        for (const auto& row : cells_) {
            widths[c] = std::max(widths[c], display_width(row[c]));
        }
    }
    const auto append_line = [&](const std::vector<std::string>& row, const std::vector<int>* colors) {
        std::string line;
        for (std::size_t c = 0; c < n; ++c) {
            const int color = colors != nullptr ? (*colors)[c] : 0;
            line += color != 0 ? paint(row[c], color, true) : row[c];
            if (c + 1 < n) {
                line.append(widths[c] - display_width(row[c]), ' ');
                line += kSeparator;
            }
        }
        // An empty last cell would leave the padding of the one before it behind.
        out += util::trim_right(line);
        out += '\n';
        util::wipe(line);
    };
    if (view_.headers) {
        append_line(headers, nullptr);
    }
    for (std::size_t r = 0; r < cells_.size(); ++r) {
        append_line(cells_[r], &colors_[r]);
    }
    if (!below_.empty()) {
        out += '\n';
        out += below_;
    }
    return out;
}

std::string RecordWriter::blocks_text() {
    std::size_t label_width = 0;
    for (const Column& column : view_.columns) {
        label_width = std::max(label_width, column.name.size() + 1);
    }
    std::string out;
    for (std::size_t r = 0; r < cells_.size(); ++r) {
        if (r > 0) {
            out += '\n';
        }
        for (std::size_t c = 0; c < view_.columns.size(); ++c) {
            std::string label = view_.columns[c].name + ":";
            label.resize(label_width + 1, ' ');
            out += label;
            out += colors_[r][c] != 0 ? paint(cells_[r][c], colors_[r][c], true) : cells_[r][c];
            out += '\n';
        }
    }
    return out;
}

std::string render(const std::vector<Record>& records, Format format, const Style& style, const View& view) {
    RecordWriter writer(format, style, view);
    std::string out;
    for (const Record& record : records) {
        out += writer.add(record);
    }
    out += writer.finish();
    return out;
}

}  // namespace aktoken::output

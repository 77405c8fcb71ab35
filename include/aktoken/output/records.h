// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/output/render.h"

// What commands report, as data: records of named values, and a view that says how the text
// formats lay them out. RecordWriter renders them in every format, so a command never chooses
// between formats and a new format is one change here.
namespace aktoken::output {

// One value of a record: JSON gets it typed; table, tsv, blocks and id show `text`.
struct Value {
    enum class Type { null, boolean, integer, string, json };
    Type type = Type::null;
    std::string data;  // string: the value; json: a JSON text; integer: its digits
    bool flag = false;
    std::string text;  // as the text formats show it
    int color = 0;     // ANSI colour of a table cell when colour is allowed (0: none)

    static Value null(std::string text = "-");
    static Value string(std::string value);
    static Value string(std::string value, std::string text);
    // A nullable string: null (shown as `absent_text`) or the value.
    static Value optional(const std::optional<std::string>& value, std::string absent_text = "-");
    static Value boolean(bool value);
    static Value boolean(bool value, std::string text);
    static Value integer(std::int64_t value);
    static Value integer(std::int64_t value, std::string text);
    // A JSON text written as it is (re-indented), shown as `text`.
    static Value json(std::string json_text, std::string text);
};

// One named value; `in_json` false for values that only the text formats show.
struct Field {
    std::string name;
    Value value;
    bool in_json = true;
};

// Named values in order: the members of a JSON object, the cells of a row.
class Record {
public:
    Record& add(std::string name, Value value);
    // A value only the text formats show (a relative time, say).
    Record& add_text(std::string name, std::string text, int color = 0);
    // The value of that name, or nullptr.
    const Value* find(std::string_view name) const;
    const std::vector<Field>& fields() const { return fields_; }
    // Overwrites every value in memory (records that held a key).
    void wipe();

private:
    std::vector<Field> fields_;
};

// A column of a table or tsv, or a line of blocks: the record's field and the name shown
// (tsv header and block label as is, table header upper-cased with '_' as a space).
struct Column {
    std::string field;
    std::string name;
};

// How the text formats show a kind of record. json is an array of objects (one object when
// `single`), jsonl one compact object a line; what a format is not given below is shown with
// the text layout.
struct View {
    enum class Text { table, blocks, lines };
    Text text = Text::table;
    std::vector<Column> columns;      // table columns, or block lines
    bool tsv = false;                 // tsv shows tsv_columns (or columns)
    std::vector<Column> tsv_columns;  // empty: columns
    std::string id_field;             // id prints this field of each record; empty: the text layout
    std::string line_field;           // lines: the field whose text is the line
    bool single = false;              // json: one object, not an array
    bool headers = true;              // table and tsv header lines
    // table and wide: a line printed first, even with no record (a monitoring plugin's summary).
    std::string title;
    // table: a value that must stay whole and copyable (a key) is no cell, which a narrow
    // terminal would wrap: after the table, each record that has one (not null) gets the line
    // "NAME of ID:" (ID: its id_field) and then the value alone on a line.
    Column below;
};

// Renders records as they come: formats that can print each record at once return its text
// from add(); the others (json arrays, aligned tables, blocks) keep it until finish().
class RecordWriter {
public:
    RecordWriter(Format format, Style style, View view);
    std::string add(const Record& record);
    std::string finish();
    // Overwrites what the writer keeps (records that held a key).
    void wipe();

private:
    enum class Layout { json, jsonl, table, blocks, lines, tsv, id };
    std::string table_text();
    std::string blocks_text();

    Layout layout_;
    Style style_;
    View view_;
    std::size_t count_ = 0;
    std::string json_;
    std::vector<std::vector<std::string>> cells_;  // table and blocks: the escaped cells
    std::vector<std::vector<int>> colors_;
    std::string below_;  // table: the lines after it (View::below)
};

// The records rendered at once.
std::string render(const std::vector<Record>& records, Format format, const Style& style, const View& view);

}  // namespace aktoken::output

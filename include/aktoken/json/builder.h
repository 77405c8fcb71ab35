// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace aktoken::json {

// Writes one JSON text, compact or pretty (two-space indentation), value by value: the only way
// aktoken assembles JSON, so that no output is glued together from templates and quoted strings.
// Strings that are not valid UTF-8 have each bad byte replaced by U+FFFD, so the text always parses;
// C1 and bidirectional controls are written as \uHHHH escapes, so the text is safe on a terminal.
class Builder {
public:
    explicit Builder(bool pretty = false);
    ~Builder();
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;

    Builder& begin_object();
    Builder& end_object();
    Builder& begin_array();
    Builder& end_array();
    // The name of the next member of the object being written.
    Builder& key(std::string_view name);
    Builder& string(std::string_view value);
    Builder& number(std::int64_t value);
    Builder& boolean(bool value);
    Builder& null();
    // A JSON text (the server's object as received) written as one value, re-indented when
    // pretty. Throws Error(server) when it is not JSON.
    Builder& raw(std::string_view json_text);

    // The text written so far.
    std::string text() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A compact JSON string literal for a value (quotes and escapes included).
std::string quote(std::string_view text);

}  // namespace aktoken::json

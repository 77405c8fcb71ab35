// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aktoken::config {

// One `key = value` line, quotes already stripped.
struct IniEntry {
    std::string key;
    std::string value;
    int line = 0;
};

// One `[name]` section with its entries in file order.
struct IniSection {
    std::string name;
    int line = 0;
    std::vector<IniEntry> entries;

    // Returns the entry with that key, or nullptr.
    const IniEntry* find(std::string_view key) const;
};

// A parsed file: its sections in file order.
struct IniFile {
    std::vector<IniSection> sections;

    // Returns the section with that name, or nullptr.
    const IniSection* find(std::string_view name) const;

    // Returns the section names in file order.
    std::vector<std::string> section_names() const;
};

// Parses INI text: `[section]` headers ([A-Za-z0-9_.-]+), `key = value` lines (spaces optional,
// value optionally in double or single quotes, trailing whitespace dropped), full-line `#` and `;`
// comments and blank lines. Throws aktoken::Error (config) "<path>:<line>: ..." on a syntax error,
// a key outside a section, a key not in valid_keys, or a duplicate section or key.
IniFile parse_ini(std::string_view text, std::string_view path, const std::vector<std::string_view>& valid_keys);

}  // namespace aktoken::config

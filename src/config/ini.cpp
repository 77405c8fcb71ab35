// SPDX-License-Identifier: MIT
#include "config/ini.h"

#include <fmt/format.h>

#include "aktoken/util/error.h"
#include "aktoken/util/strings.h"

namespace aktoken::config {

namespace {

bool is_name_char(char c, bool allow_dot) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           (allow_dot && c == '.');
}

bool is_name(std::string_view text, bool allow_dot) {
    if (text.empty()) {
        return false;
    }
    for (const char c : text) {
        if (!is_name_char(c, allow_dot)) {
            return false;
        }
    }
    return true;
}

}  // namespace

const IniEntry* IniSection::find(std::string_view key) const {
    for (const auto& entry : entries) {
        if (entry.key == key) {
            return &entry;
        }
    }
    return nullptr;
}

const IniSection* IniFile::find(std::string_view name) const {
    for (const auto& section : sections) {
        if (section.name == name) {
            return &section;
        }
    }
    return nullptr;
}

std::vector<std::string> IniFile::section_names() const {
    std::vector<std::string> names;
    names.reserve(sections.size());
    for (const auto& section : sections) {
        names.push_back(section.name);
    }
    return names;
}

IniFile parse_ini(std::string_view text, std::string_view path, const std::vector<std::string_view>& valid_keys) {
    IniFile file;
    int line_number = 0;
    const auto fail = [&](std::string_view message) {
        return Error(ErrorKind::config, fmt::format("{}:{}: {}", path, line_number, message));
    };
    // Editors on Windows like to start files with a byte order mark.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        line = util::trim(line);
        if (line.empty() || line.front() == '#' || line.front() == ';') {
            continue;
        }
        if (line.front() == '[') {
            if (line.back() != ']' || !is_name(line.substr(1, line.size() - 2), true)) {
                throw fail("expected [profile] or key = value");
            }
            const std::string_view name = line.substr(1, line.size() - 2);
            if (const IniSection* previous = file.find(name)) {
                throw fail(fmt::format("duplicate section [{}] (first at line {})", name, previous->line));
            }
            file.sections.push_back(IniSection{std::string(name), line_number, {}});
            continue;
        }
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) {
            throw fail("expected [profile] or key = value");
        }
        const std::string_view key = util::trim(line.substr(0, equals));
        std::string_view value = util::trim(line.substr(equals + 1));
        if (!is_name(key, false)) {
            throw fail("expected [profile] or key = value");
        }
        if (!value.empty() && (value.front() == '"' || value.front() == '\'')) {
            if (value.size() < 2 || value.back() != value.front()) {
                throw fail(fmt::format("missing closing {} after the value of {}", value.front(), key));
            }
            value = value.substr(1, value.size() - 2);
        }
        if (file.sections.empty()) {
            throw fail("key outside a [profile] section");
        }
        bool known = false;
        for (const auto valid : valid_keys) {
            known = known || valid == key;
        }
        if (!known) {
            std::string list;
            for (const auto valid : valid_keys) {
                list += list.empty() ? "" : ", ";
                list += valid;
            }
            throw fail(fmt::format("unknown key \"{}\" (valid: {})", key, list));
        }
        IniSection& section = file.sections.back();
        if (const IniEntry* previous = section.find(key)) {
            throw fail(
                fmt::format("duplicate key \"{}\" in [{}] (first at line {})", key, section.name, previous->line));
        }
        section.entries.push_back(IniEntry{std::string(key), std::string(value), line_number});
    }
    return file;
}

}  // namespace aktoken::config

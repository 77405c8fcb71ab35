// SPDX-License-Identifier: MIT
#include "aktoken/output/render.h"

#include <fmt/format.h>

#include "aktoken/json/codec.h"

namespace aktoken::output {

namespace {

constexpr std::pair<std::string_view, Format> kFormats[] = {
    {"table", Format::table}, {"wide", Format::wide}, {"json", Format::json},
    {"jsonl", Format::jsonl}, {"tsv", Format::tsv},   {"id", Format::id},
};

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
    for (const auto& [format_name, format] : kFormats) {
        if (format_name == name) {
            return format;
        }
    }
    return std::nullopt;
}

std::string format_names() {
    std::string names;
    for (const auto& [format_name, format] : kFormats) {
        names += names.empty() ? "" : ", ";
        names += format_name;
    }
    return names;
}

std::string paint(std::string_view text, int code, bool color) {
    if (!color) {
        return std::string(text);
    }
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string expires_text(const model::Token& token, const Style& style) {
    if (!token.expires) {
        return "never";
    }
    std::string text = util::format_timestamp(*token.expires);
    if (style.terminal) {
        const bool expired = *token.expires <= style.now;
        std::string relative = fmt::format("({})", util::format_relative(*token.expires, style.now));
        text += ' ';
        text += expired && token.expiring ? paint(relative, 31, style.color) : relative;
    }
    return text;
}

std::string token_blocks(const std::vector<model::Token>& tokens, const Style& style) {
    std::string out;
    for (const model::Token& token : tokens) {
        if (!out.empty()) {
            out += '\n';
        }
        std::string user = token.user_obj ? fmt::format("{} ({})", token.user_obj->username, token.user)
                                           : fmt::format("{}", token.user);
        const std::pair<const char*, std::string> rows[] = {
            {"identifier", token.identifier},
            {"pk", token.pk},
            {"intent", token.intent},
            {"user", user},
            {"description", token.description},
            {"expires", expires_text(token, style)},
            {"expiring", token.expiring ? "true" : "false"},
            {"managed", token.managed.value_or("-")},
        };
        for (const auto& [label, value] : rows) {
            out += fmt::format("{:<12} {}\n", fmt::format("{}:", label), value);
        }
    }
    return out;
}

std::string tokens_json(const std::vector<model::Token>& tokens, bool as_array) {
    if (!as_array && tokens.size() == 1) {
        return json::pretty(tokens.front().json) + "\n";
    }
    std::vector<std::string> texts;
    texts.reserve(tokens.size());
    for (const model::Token& token : tokens) {
        texts.push_back(token.json);
    }
    return json::pretty_array(texts) + "\n";
}

}  // namespace aktoken::output

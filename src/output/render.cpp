// SPDX-License-Identifier: MIT
#include "aktoken/output/render.h"

#include <fmt/format.h>

#include "aktoken/json/builder.h"
#include "aktoken/json/codec.h"
#include "aktoken/output/fields.h"
#include "aktoken/output/list.h"

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
    if (!token.expiring) {
        return "never";
    }
    std::string text = timestamp_or_never(token.expires);
    if (token.expires && style.terminal) {
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
        for (const TokenField& field : token_fields()) {
            if (field.block_text != nullptr) {
                out += fmt::format("{:<12} {}\n", fmt::format("{}:", field.name), field.block_text(token, style));
            }
        }
    }
    return out;
}

std::string tokens_json(const std::vector<model::Token>& tokens, bool as_array) {
    if (!as_array && tokens.size() == 1) {
        return json::pretty(tokens.front().json) + "\n";
    }
    // One token asked for and none read: its error says why; an empty array would claim a list.
    if (!as_array && tokens.empty()) {
        return {};
    }
    std::vector<std::string> texts;
    texts.reserve(tokens.size());
    for (const model::Token& token : tokens) {
        texts.push_back(token.json);
    }
    return json::pretty_array(texts) + "\n";
}

std::string render_tokens(const std::vector<model::Token>& tokens, bool several, Format format, const Style& style) {
    switch (format) {
        case Format::json:
            return tokens_json(tokens, several);
        case Format::table:
            return token_blocks(tokens, style);
        case Format::wide:
        case Format::jsonl:
        case Format::tsv:
        case Format::id:
            break;
    }
    ListOptions options;
    options.format = format;
    options.style = style;
    ListWriter writer(options);
    std::string out = writer.add(tokens);
    out += writer.finish();
    return out;
}

std::string render_token_with_key(const model::Token& token, std::string_view key, Format format, const Style& style) {
    if (format == Format::json) {
        return json::pretty(json::with_key(token.json, key)) + "\n";
    }
    return token_blocks({token}, style) + fmt::format("{:<12} {}\n", "key:", key);
}

}  // namespace aktoken::output

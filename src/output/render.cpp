// SPDX-License-Identifier: MIT
#include "aktoken/output/render.h"

#include <fmt/format.h>

#include "aktoken/json/builder.h"
#include "aktoken/json/codec.h"
#include "aktoken/model/generations.h"
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

std::string_view format_name(Format format) {
    for (const auto& [name, candidate] : kFormats) {
        if (candidate == format) {
            return name;
        }
    }
    return "table";
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

namespace {

std::optional<model::Generation> retired_generation(const model::Token& token) {
    auto generation = model::parse_generation(token.identifier);
    if (!generation || generation->kind != model::GenerationKind::retired) {
        return std::nullopt;
    }
    return generation;
}

}  // namespace

std::optional<std::string> retired_cell(const model::Token& token, const Style& style) {
    const auto generation = retired_generation(token);
    if (!generation) {
        return std::nullopt;
    }
    return fmt::format("retired, until {}", style.terminal ? util::format_relative_plain(generation->time, style.now)
                                                           : util::format_timestamp(generation->time));
}

std::string expires_text(const model::Token& token, const Style& style) {
    if (!token.expiring) {
        return "never";
    }
    std::string text = timestamp_or_never(token.expires);
    if (token.expires && style.terminal) {
        const bool expired = *token.expires <= style.now && !retired_generation(token);
        std::string relative = fmt::format("({})", util::format_relative(*token.expires, style.now));
        text += ' ';
        text += expired && token.expiring ? paint(relative, 31, style.color) : relative;
    }
    return text;
}

std::string token_block(const model::Token& token, const Style& style) {
    std::string out;
    for (const TokenField& field : token_fields()) {
        if (field.block_text != nullptr) {
            out += fmt::format("{:<12} {}\n", fmt::format("{}:", field.name), field.block_text(token, style));
        }
    }
    if (const auto generation = retired_generation(token)) {
        std::string until = util::format_timestamp(generation->time);
        if (style.terminal) {
            until += fmt::format(" ({})", util::format_relative_plain(generation->time, style.now));
        }
        out += fmt::format("{:<12} until {}, a generation of {}; aktoken prune deletes it then\n", "retired:", until,
                           escape_cell(generation->base));
    }
    return out;
}

TokenWriter::TokenWriter(bool several, Format format, const Style& style) : format_(format), style_(style) {
    if (format != Format::table && (format != Format::json || several)) {
        ListOptions options;
        options.format = format;
        options.style = style;
        rows_ = std::make_unique<ListWriter>(options);
    }
}

TokenWriter::~TokenWriter() = default;

std::string TokenWriter::add(const model::Token& token) {
    ++count_;
    if (rows_) {
        return rows_->add(token);
    }
    if (format_ == Format::json) {
        return json::pretty(token.json) + "\n";
    }
    return (count_ > 1 ? "\n" : "") + token_block(token, style_);
}

std::string TokenWriter::finish() {
    // One token asked for and none read prints nothing: its error says why, and an empty array
    // would claim a list.
    return rows_ ? rows_->finish() : std::string();
}

std::size_t TokenWriter::kept_bytes() const { return rows_ ? rows_->kept_bytes() : 0; }

const std::vector<std::string>& TokenWriter::left_out() const {
    static const std::vector<std::string> none;
    return rows_ ? rows_->left_out() : none;
}

std::string render_tokens(const std::vector<model::Token>& tokens, bool several, Format format, const Style& style) {
    TokenWriter writer(several, format, style);
    std::string out;
    for (const model::Token& token : tokens) {
        out += writer.add(token);
    }
    return out + writer.finish();
}

std::string render_token_with_key(const model::Token& token, std::string_view key, Format format, const Style& style) {
    if (format == Format::json) {
        return json::pretty(json::with_key(token.json, key)) + "\n";
    }
    // The key alone on its line: a terminal narrower than label and key would wrap it mid-key,
    // and a line that is only the key is copied whole with a triple click.
    return token_block(token, style) + fmt::format("key:\n{}\n", key);
}

}  // namespace aktoken::output

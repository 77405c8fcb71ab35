// SPDX-License-Identifier: MIT
#include "aktoken/util/values.h"

#include <fmt/format.h>
#include <string.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <istream>

#include "aktoken/util/strings.h"

namespace aktoken::util {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

void set(std::string* problem, std::string text) {
    if (problem != nullptr) {
        *problem = std::move(text);
    }
}

std::string seconds_problem(SecondsRange range, bool too_large) {
    if (range.zero_allowed) {
        return fmt::format("expected a number of seconds from 0 to {}", range.max);
    }
    return too_large ? fmt::format("at most {} seconds", range.max) : "expected a positive number of seconds";
}

std::string count_problem(const CountRange& range) {
    if (!range.max) {
        return fmt::format("expected {}", range.what);
    }
    return fmt::format("expected {} from {} to {}", range.what, range.min, *range.max);
}

// Decodes one UTF-8 sequence at the start of text; 0 when it is not valid (overlong forms,
// surrogates and code points above U+10FFFF included).
std::size_t utf8_length(std::string_view text, char32_t& code_point) {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    char32_t min = 0;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        code_point = lead & 0x1fU;
        min = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        code_point = lead & 0x0fU;
        min = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        code_point = lead & 0x07U;
        min = 0x10000;
    } else {
        return 0;
    }
    if (text.size() < length) {
        return 0;
    }
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xc0U) != 0x80) {
            return 0;
        }
        code_point = (code_point << 6) | (byte(i) & 0x3fU);
    }
    if (code_point < min || code_point > 0x10ffff || (code_point >= 0xd800 && code_point <= 0xdfff)) {
        return 0;
    }
    return length;
}

// Characters that change how a terminal shows what follows them: C1 controls (some terminals
// act on them like ESC sequences) and the bidirectional embeddings, overrides and isolates that
// can make a value read differently from what it is.
bool is_unsafe(char32_t code_point) {
    return (code_point >= 0x80 && code_point <= 0x9f) || (code_point >= 0x202a && code_point <= 0x202e) ||
           (code_point >= 0x2066 && code_point <= 0x2069);
}

}  // namespace

std::optional<double> parse_seconds(std::string_view text, SecondsRange range, std::string* problem) {
    const auto dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
    // Checked by hand because from_chars would also take "1e3", "inf" and "nan".
    const bool digits_only =
        std::all_of(whole.begin(), whole.end(), is_digit) && std::all_of(fraction.begin(), fraction.end(), is_digit);
    if (!digits_only || (whole.empty() && fraction.empty())) {
        set(problem, seconds_problem(range, false));
        return std::nullopt;
    }
    while (!whole.empty() && whole.front() == '0') {
        whole.remove_prefix(1);
    }
    // Bounded lengths keep from_chars clear of overflow and underflow, so that its only answer
    // for digits is a value; no maximum a caller needs comes near 15 digits.
    if (whole.size() > 15) {
        set(problem, seconds_problem(range, true));
        return std::nullopt;
    }
    fraction = fraction.substr(0, 9);
    // from_chars rather than strtod, which follows the locale's decimal point.
    const std::string digits = fmt::format("{}.{}", whole.empty() ? "0" : whole, fraction.empty() ? "0" : fraction);
    double value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (!(value > 0) && !range.zero_allowed) {
        set(problem, seconds_problem(range, false));
        return std::nullopt;
    }
    if (value > range.max) {
        set(problem, seconds_problem(range, true));
        return std::nullopt;
    }
    return value;
}

std::optional<std::int64_t> parse_count(std::string_view text, CountRange range, std::string* problem) {
    const std::int64_t max = range.max.value_or(INT64_MAX);
    std::int64_t value = 0;
    bool ok = !text.empty();
    for (const char c : text) {
        if (!is_digit(c)) {
            ok = false;
            break;
        }
        const int digit = c - '0';
        if (value > (INT64_MAX - digit) / 10) {
            ok = false;
            break;
        }
        value = value * 10 + digit;
    }
    if (!ok || value < range.min || value > max) {
        set(problem, count_problem(range));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> parse_bool(std::string_view text, std::string* problem) {
    const std::string lower = to_lower(text);
    if (lower == "true" || lower == "1" || lower == "yes") {
        return true;
    }
    if (lower == "false" || lower == "0" || lower == "no") {
        return false;
    }
    set(problem, std::string(bool_expected));
    return std::nullopt;
}

bool is_valid_utf8(std::string_view text) {
    while (!text.empty()) {
        std::size_t consumed = 1;
        if (static_cast<unsigned char>(text.front()) >= 0x80) {
            char32_t code_point = 0;
            consumed = utf8_length(text, code_point);
            if (consumed == 0) {
                return false;
            }
        }
        text.remove_prefix(consumed);
    }
    return true;
}

bool has_control(std::string_view text) {
    // Walked here rather than compared with escape_controls(): the text may be a key, and no
    // copy of it may be left behind.
    while (!text.empty()) {
        const auto byte = static_cast<unsigned char>(text.front());
        std::size_t consumed = 1;
        if (byte < 0x20 || byte == 0x7f) {
            return true;
        }
        if (byte >= 0x80) {
            char32_t code_point = 0;
            consumed = utf8_length(text, code_point);
            if (consumed == 0 || is_unsafe(code_point)) {
                return true;
            }
        }
        text.remove_prefix(consumed);
    }
    return false;
}

std::string escape_controls(std::string_view text, std::string_view also) {
    std::string out;
    out.reserve(text.size());
    while (!text.empty()) {
        const char c = text.front();
        const auto byte = static_cast<unsigned char>(c);
        std::size_t consumed = 1;
        if (also.find(c) != std::string_view::npos) {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", byte);
        } else if (byte < 0x80) {
            out += c;
        } else {
            char32_t code_point = 0;
            consumed = utf8_length(text, code_point);
            if (consumed == 0) {
                consumed = 1;
                out += fmt::format("\\x{:02x}", byte);
            } else if (is_unsafe(code_point)) {
                out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(code_point));
            } else {
                out += text.substr(0, consumed);
            }
        }
        text.remove_prefix(consumed);
    }
    return out;
}

std::string quoted(std::string_view value) { return '"' + escape_controls(value, "\"\\") + '"'; }

Error invalid_value_error(ErrorKind kind, std::string_view name, std::string_view value, std::string_view expected) {
    return Error(kind, fmt::format("{}: invalid value {}: {}", name, quoted(value), expected));
}

void invalid_value(std::string_view flag, std::string_view value, std::string_view expected) {
    throw invalid_value_error(ErrorKind::usage, flag, value, expected);
}

std::string byte_size_text(std::size_t bytes) {
    constexpr std::size_t kib = 1024;
    if (bytes >= kib * kib && bytes % (kib * kib) == 0) {
        return fmt::format("{} MiB", bytes / (kib * kib));
    }
    if (bytes >= kib && bytes % kib == 0) {
        return fmt::format("{} KiB", bytes / kib);
    }
    return fmt::format("{} {}", bytes, bytes == 1 ? "byte" : "bytes");
}

Secret read_capped(std::istream& in, std::size_t cap, std::string_view what, ErrorKind kind) {
    std::string content;
    std::array<char, 4096> chunk{};
    const auto drop = [&]() {
        explicit_bzero(chunk.data(), chunk.size());
        wipe(content);
    };
    while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
        const auto count = static_cast<std::size_t>(in.gcount());
        if (count > cap - content.size()) {
            drop();
            throw Error(kind, fmt::format("cannot read {}: more than {}", what, byte_size_text(cap)));
        }
        // Grown by hand: a reallocation by append would free the old buffer with the bytes in it.
        if (content.size() + count > content.capacity()) {
            std::string bigger;
            bigger.reserve(std::min(cap, std::max(content.size() + count, 2 * content.capacity())));
            bigger.append(content);
            wipe(content);
            content = std::move(bigger);
        }
        content.append(chunk.data(), count);
    }
    explicit_bzero(chunk.data(), chunk.size());
    if (in.bad()) {
        wipe(content);
        throw Error(kind, fmt::format("cannot read {}", what));
    }
    return Secret(std::move(content));
}

}  // namespace aktoken::util

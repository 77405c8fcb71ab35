// SPDX-License-Identifier: MIT
#include "http/redact.h"

#include <cstddef>
#include <string>
#include <string_view>

#include "aktoken/util/strings.h"

namespace aktoken::http {

namespace {

constexpr std::string_view redacted = "<redacted>";
constexpr std::string_view redacted_string = "\"<redacted>\"";
constexpr auto npos = std::string_view::npos;

// Broader than JSON's whitespace on purpose: the same helper serves the fallback for non-JSON
// text, where over-matching only means redacting more.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
    while (i < s.size() && is_space(s[i])) {
        ++i;
    }
    return i;
}

// One past the closing quote of the string opened at `open`, or npos when the text ends first.
// A backslash always consumes the next character, so `\\"` closes and `\"` does not.
std::size_t string_end(std::string_view s, std::size_t open) {
    for (std::size_t i = open + 1; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return npos;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// Whether the raw contents of a JSON string decode to exactly `key`: a server is free to
// escape letters ("k\u0065y"), and the member is just as secret then.
bool decodes_to_key(std::string_view raw) {
    std::string decoded;
    for (std::size_t i = 0; i < raw.size(); ++i) {
        char c = raw[i];
        if (c == '\\') {
            if (i + 1 >= raw.size()) {
                return false;
            }
            char e = raw[++i];
            if (e == 'u') {
                if (i + 4 >= raw.size()) {
                    return false;
                }
                int code = 0;
                for (std::size_t k = 1; k <= 4; ++k) {
                    int h = hex_value(raw[i + k]);
                    if (h < 0) {
                        return false;
                    }
                    code = code * 16 + h;
                }
                i += 4;
                // Anything beyond ASCII cannot be part of "key".
                c = code < 0x80 ? static_cast<char>(code) : '\x01';
            } else {
                c = e;
            }
        }
        decoded.push_back(c);
        if (decoded.size() > 3) {
            return false;
        }
    }
    return decoded == "key";
}

// Pass 1: walk the text string by string, so that a "key" inside a string value is never
// taken for a member name, and redact the string value of each member named key.
std::string redact_members(std::string_view body) {
    std::string out;
    out.reserve(body.size());
    std::size_t i = 0;
    while (i < body.size()) {
        if (body[i] != '"') {
            out.push_back(body[i]);
            ++i;
            continue;
        }
        std::size_t end = string_end(body, i);
        if (end == npos) {
            out.append(body.substr(i));
            break;
        }
        std::string_view contents = body.substr(i + 1, end - i - 2);
        out.append(body.substr(i, end - i));
        i = end;
        if (!decodes_to_key(contents)) {
            continue;
        }
        std::size_t colon = skip_space(body, end);
        if (colon >= body.size() || body[colon] != ':') {
            continue;
        }
        std::size_t value = skip_space(body, colon + 1);
        if (value >= body.size() || body[value] != '"') {
            continue;
        }
        out.append(body.substr(end, value - end));
        out.append(redacted_string);
        std::size_t value_end = string_end(body, value);
        // A truncated value is redacted to the end: whatever follows its quote is secret.
        i = value_end == npos ? body.size() : value_end;
    }
    return out;
}

// Pass 2: a plain pattern search, the safety net for text pass 1 cannot follow (HTML error
// pages, malformed JSON whose quotes are out of step). On valid JSON it finds nothing new:
// a literal `"key"` followed by a colon is always a member name there.
std::string redact_patterns(std::string text) {
    constexpr std::string_view needle = "\"key\"";
    std::size_t pos = 0;
    while ((pos = text.find(needle, pos)) != std::string::npos) {
        std::size_t colon = skip_space(text, pos + needle.size());
        if (colon >= text.size() || text[colon] != ':') {
            ++pos;
            continue;
        }
        std::size_t value = skip_space(text, colon + 1);
        if (value >= text.size() || text[value] != '"') {
            ++pos;
            continue;
        }
        std::size_t value_end = string_end(text, value);
        std::size_t length = (value_end == npos ? text.size() : value_end) - value;
        text.replace(value, length, redacted_string);
        // The closing quote of the replacement may open the next "key" (in broken JSON): resume on it.
        pos = value + redacted_string.size() - 1;
    }
    return text;
}

}  // namespace

std::string redact_header(std::string_view name, std::string_view value) {
    if (util::iequals(name, "authorization")) {
        // The scheme word tells Bearer from Basic in a trace without revealing anything.
        std::size_t start = 0;
        while (start < value.size() && is_space(value[start])) {
            ++start;
        }
        std::size_t space = start;
        while (space < value.size() && !is_space(value[space])) {
            ++space;
        }
        if (space >= value.size()) {
            return std::string(redacted);
        }
        return std::string(value.substr(start, space - start)) + " " + std::string(redacted);
    }
    if (util::iequals(name, "proxy-authorization") || util::iequals(name, "cookie") ||
        util::iequals(name, "set-cookie")) {
        return std::string(redacted);
    }
    return std::string(value);
}

std::string redact_json_keys(std::string_view body) { return redact_patterns(redact_members(body)); }

}  // namespace aktoken::http

// SPDX-License-Identifier: MIT
// libFuzzer target: http::redact_json_keys (what -v traces print of bodies) and http::redact_header.
#include <stdexcept>
#include <string>
#include <vector>

#include "aktoken/util/error.h"
#include "fuzz/targets.h"
#include "http/redact.h"
#include "json/rapidjson.h"

namespace aktoken::fuzz {

namespace {

constexpr std::string_view redacted_value = "<redacted>";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Any `"key" : "` left in the output must be followed by the redaction marker: the promise for
// text of any shape, JSON or not.
void check_patterns(const std::string& out) {
    constexpr std::string_view needle = "\"key\"";
    for (auto pos = out.find(needle); pos != std::string::npos; pos = out.find(needle, pos + 1)) {
        std::size_t i = pos + needle.size();
        while (i < out.size() && is_space(out[i])) {
            ++i;
        }
        if (i >= out.size() || out[i] != ':') {
            continue;
        }
        ++i;
        while (i < out.size() && is_space(out[i])) {
            ++i;
        }
        if (i >= out.size() || out[i] != '"') {
            continue;
        }
        if (std::string_view(out).substr(i + 1, redacted_value.size() + 1) != "<redacted>\"") {
            throw InvariantViolation("a \"key\": \"...\" pattern is left unredacted at offset " + std::to_string(pos));
        }
    }
}

// For valid JSON: the output is valid JSON too and every member named key (escapes decoded, at
// any depth) with a string value holds the marker instead of the secret.
void check_json(std::string_view input, const std::string& out) {
    constexpr unsigned flags = rapidjson::kParseIterativeFlag;
    rapidjson::Document in_doc;
    in_doc.Parse<flags>(input.data(), input.size());
    if (in_doc.HasParseError()) {
        return;
    }
    rapidjson::Document out_doc;
    out_doc.Parse<flags>(out.data(), out.size());
    if (out_doc.HasParseError()) {
        throw InvariantViolation(std::string("valid JSON became invalid: ") +
                                 rapidjson::GetParseError_En(out_doc.GetParseError()));
    }
    std::vector<const rapidjson::Value*> pending{&out_doc};
    while (!pending.empty()) {
        const rapidjson::Value* v = pending.back();
        pending.pop_back();
        // Indices rather than range-for: RapidJSON's member iterators trip clang's C++20
        // -Wambiguous-reversed-operator.
        if (v->IsArray()) {
            for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
                pending.push_back(&(*v)[i]);
            }
        } else if (v->IsObject()) {
            for (rapidjson::SizeType i = 0; i < v->MemberCount(); ++i) {
                const auto& m = v->MemberBegin()[i];
                const std::string_view name(m.name.GetString(), m.name.GetStringLength());
                if (name == "key" && m.value.IsString() &&
                    std::string_view(m.value.GetString(), m.value.GetStringLength()) != redacted_value) {
                    throw InvariantViolation("a \"key\" member keeps its string value");
                }
                pending.push_back(&m.value);
            }
        }
    }
}

void check_header(std::string_view input) {
    // "name\nvalue", or the whole input as an Authorization value.
    const auto newline = input.find('\n');
    const std::string_view name = newline == std::string_view::npos ? "Authorization" : input.substr(0, newline);
    const std::string_view value = newline == std::string_view::npos ? input : input.substr(newline + 1);
    const std::string shown = http::redact_header(name, value);
    std::string lower(name);
    for (char& c : lower) {
        c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
    if (lower == "authorization") {
        if (!std::string_view(shown).ends_with(redacted_value) ||
            shown.size() > value.size() + redacted_value.size() + 1) {
            throw InvariantViolation("Authorization shown as: " + shown);
        }
    } else if (lower == "proxy-authorization" || lower == "cookie" || lower == "set-cookie") {
        if (shown != redacted_value) {
            throw InvariantViolation(lower + " shown as: " + shown);
        }
    } else if (shown != value) {
        throw InvariantViolation("an ordinary header was changed");
    }
}

}  // namespace

void redact(std::string_view input) {
    try {
        const std::string out = http::redact_json_keys(input);
        check_patterns(out);
        check_json(input, out);
        check_header(input);
    } catch (const Error&) {
    } catch (const std::invalid_argument&) {
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::redact)

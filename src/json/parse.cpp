// SPDX-License-Identifier: MIT
#include "json/parse.h"

#include <fmt/format.h>

#include <unordered_set>
#include <vector>

#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"

namespace aktoken::json {

void bad_shape(const std::string& what) {
    throw Error(ErrorKind::server, fmt::format("unexpected answer from the server: {}", what));
}

namespace {

using rapidjson::Value;

// The iterative parser survives any nesting, but Accept() and our own walks recurse: refuse
// deep documents before parsing, counting brackets outside strings.
void check_depth(std::string_view text) {
    int depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxDepth) {
                bad_shape(fmt::format("JSON nested deeper than {} levels", kMaxDepth));
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
}

// Python's json and so authentik take the last of two members of one name, RapidJSON's
// FindMember the first: keep only the last, so that no two readers see two different objects.
void keep_last_members(Value& value, rapidjson::Document::AllocatorType& allocator) {
    if (value.IsArray()) {
        for (Value& item : value.GetArray()) {
            keep_last_members(item, allocator);
        }
        return;
    }
    if (!value.IsObject()) {
        return;
    }
    const rapidjson::SizeType count = value.MemberCount();
    std::vector<bool> kept(count, true);
    std::unordered_set<std::string_view> seen;
    bool duplicates = false;
    for (rapidjson::SizeType index = count; index-- > 0;) {
        const Value& name = (value.MemberBegin() + index)->name;
        if (!seen.emplace(name.GetString(), name.GetStringLength()).second) {
            kept[index] = false;
            duplicates = true;
        }
    }
    if (duplicates) {
        Value unique(rapidjson::kObjectType);
        for (rapidjson::SizeType index = 0; index < count; ++index) {
            if (kept[index]) {
                const auto m = value.MemberBegin() + index;
                unique.AddMember(m->name, m->value, allocator);
            }
        }
        value = unique;
    }
    for (rapidjson::SizeType index = 0; index < value.MemberCount(); ++index) {
        keep_last_members((value.MemberBegin() + index)->value, allocator);
    }
}

}  // namespace

rapidjson::Document parse(std::string_view text, bool validate_encoding) {
    check_depth(text);
    rapidjson::Document doc;
    if (validate_encoding) {
        doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.data(), text.size());
    } else {
        doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    }
    if (doc.HasParseError()) {
        if (text.empty()) {
            bad_shape("empty body where JSON was expected");
        }
        bad_shape(fmt::format("invalid JSON at offset {}: {}", doc.GetErrorOffset(),
                              rapidjson::GetParseError_En(doc.GetParseError())));
    }
    keep_last_members(doc, doc.GetAllocator());
    return doc;
}

std::string escape_terminal_controls(std::string json_text) {
    // Their lead bytes (C2, E2) never continue a sequence, and outside strings a JSON text is
    // ASCII: every match is one of those characters inside a string.
    const auto unsafe_at = [&json_text](std::size_t i) -> std::size_t {
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(json_text[k]); };
        if (byte(i) == 0xC2 && i + 1 < json_text.size() && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) {
            return 2;
        }
        if (byte(i) == 0xE2 && i + 2 < json_text.size() &&
            ((byte(i + 1) == 0x80 && byte(i + 2) >= 0xAA && byte(i + 2) <= 0xAE) ||
             (byte(i + 1) == 0x81 && byte(i + 2) >= 0xA6 && byte(i + 2) <= 0xA9))) {
            return 3;
        }
        return 0;
    };
    std::size_t first = 0;
    while (first < json_text.size() && unsafe_at(first) == 0) {
        ++first;
    }
    if (first == json_text.size()) {
        return json_text;
    }
    std::string out(json_text, 0, first);
    for (std::size_t i = first; i < json_text.size();) {
        const std::size_t length = unsafe_at(i);
        if (length == 0) {
            out += json_text[i];
            ++i;
            continue;
        }
        const auto byte = [&](std::size_t k) {
            return static_cast<unsigned>(static_cast<unsigned char>(json_text[k]));
        };
        const unsigned code_point =
            length == 2 ? byte(i + 1)
                        : ((byte(i) & 0x0FU) << 12) | ((byte(i + 1) & 0x3FU) << 6) | (byte(i + 2) & 0x3FU);
        out += fmt::format("\\u{:04X}", code_point);
        i += length;
    }
    return out;
}

}  // namespace aktoken::json

// SPDX-License-Identifier: MIT
#include "aktoken/json/builder.h"

#include <variant>

#include "json/parse.h"
#include "json/rapidjson.h"

namespace aktoken::json {
namespace {

using Compact = rapidjson::Writer<rapidjson::StringBuffer>;
using Pretty = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

// Each byte that does not belong to a valid UTF-8 sequence becomes U+FFFD.
std::string valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = lead < 0x80           ? 1
                             : (lead >> 5) == 0x6  ? 2
                             : (lead >> 4) == 0xE  ? 3
                             : (lead >> 3) == 0x1E ? 4
                                                   : 0;
        bool valid = length != 0 && i + length <= text.size() && !(lead == 0xC0 || lead == 0xC1 || lead > 0xF4);
        for (std::size_t k = 1; valid && k < length; ++k) {
            valid = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
        }
        if (valid && length == 3) {
            const auto second = static_cast<unsigned char>(text[i + 1]);
            valid = !(lead == 0xE0 && second < 0xA0) && !(lead == 0xED && second >= 0xA0);
        } else if (valid && length == 4) {
            const auto second = static_cast<unsigned char>(text[i + 1]);
            valid = !(lead == 0xF0 && second < 0x90) && !(lead == 0xF4 && second >= 0x90);
        }
        if (valid) {
            out.append(text.substr(i, length));
            i += length;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

}  // namespace

struct Builder::Impl {
    rapidjson::StringBuffer buffer;
    std::variant<Compact, Pretty> writer;

    explicit Impl(bool pretty) : writer(std::in_place_type<Compact>, buffer) {
        if (pretty) {
            writer.emplace<Pretty>(buffer).SetIndent(' ', 2);
        }
    }

    template <class F>
    void with(F&& f) {
        std::visit(f, writer);
    }
};

Builder::Builder(bool pretty) : impl_(std::make_unique<Impl>(pretty)) {}
Builder::~Builder() = default;

Builder& Builder::begin_object() {
    impl_->with([](auto& w) { w.StartObject(); });
    return *this;
}

Builder& Builder::end_object() {
    impl_->with([](auto& w) { w.EndObject(); });
    return *this;
}

Builder& Builder::begin_array() {
    impl_->with([](auto& w) { w.StartArray(); });
    return *this;
}

Builder& Builder::end_array() {
    impl_->with([](auto& w) { w.EndArray(); });
    return *this;
}

Builder& Builder::key(std::string_view name) {
    const std::string text = valid_utf8(name);
    impl_->with([&](auto& w) { w.Key(text.data(), static_cast<rapidjson::SizeType>(text.size())); });
    return *this;
}

Builder& Builder::string(std::string_view value) {
    const std::string text = valid_utf8(value);
    impl_->with([&](auto& w) { w.String(text.data(), static_cast<rapidjson::SizeType>(text.size())); });
    return *this;
}

Builder& Builder::number(std::int64_t value) {
    impl_->with([&](auto& w) { w.Int64(value); });
    return *this;
}

Builder& Builder::boolean(bool value) {
    impl_->with([&](auto& w) { w.Bool(value); });
    return *this;
}

Builder& Builder::null() {
    impl_->with([](auto& w) { w.Null(); });
    return *this;
}

Builder& Builder::raw(std::string_view json_text) {
    const rapidjson::Document doc = parse(json_text);
    impl_->with([&](auto& w) { doc.Accept(w); });
    return *this;
}

std::string Builder::text() const {
    return escape_terminal_controls({impl_->buffer.GetString(), impl_->buffer.GetSize()});
}

std::string quote(std::string_view text) {
    Builder builder;
    builder.string(text);
    return builder.text();
}

}  // namespace aktoken::json

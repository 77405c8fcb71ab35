// SPDX-License-Identifier: MIT
#include "faults.h"

#include <algorithm>
#include <charconv>

#include "json.h"

namespace sandbox {
namespace {

std::optional<std::int64_t> parse_number(std::string_view text) {
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < 0) {
        return std::nullopt;
    }
    return value;
}

void write_optional(JsonWriter& w, const std::optional<std::string>& s) {
    if (s) {
        w.String(s->data(), static_cast<rapidjson::SizeType>(s->size()));
    } else {
        w.Null();
    }
}

void write_request(JsonWriter& w, const RecordedRequest& r) {
    w.StartObject();
    w.Key("method");
    w.String(r.method.data(), static_cast<rapidjson::SizeType>(r.method.size()));
    w.Key("path");
    w.String(r.path.data(), static_cast<rapidjson::SizeType>(r.path.size()));
    w.Key("query");
    w.String(r.query.data(), static_cast<rapidjson::SizeType>(r.query.size()));
    w.Key("body");
    w.String(r.body.data(), static_cast<rapidjson::SizeType>(r.body.size()));
    w.Key("content_type");
    write_optional(w, r.content_type);
    w.Key("authorization_scheme");
    write_optional(w, r.authorization_scheme);
    w.Key("fault");
    write_optional(w, r.fault);
    w.EndObject();
}

}  // namespace

std::optional<FaultMode> parse_fault_mode(std::string_view name) {
    if (name == "503") {
        return FaultMode::status_503;
    }
    if (name == "500") {
        return FaultMode::status_500;
    }
    if (name == "429") {
        return FaultMode::status_429;
    }
    if (name == "502") {
        return FaultMode::status_502;
    }
    if (name == "drop") {
        return FaultMode::drop;
    }
    if (name == "delay") {
        return FaultMode::delay;
    }
    if (name == "truncate") {
        return FaultMode::truncate;
    }
    if (name == "apply-then-drop") {
        return FaultMode::apply_then_drop;
    }
    if (name == "apply-then-delay") {
        return FaultMode::apply_then_delay;
    }
    return std::nullopt;
}

std::string fault_mode_name(FaultMode mode) {
    switch (mode) {
        case FaultMode::status_503:
            return "503";
        case FaultMode::status_500:
            return "500";
        case FaultMode::status_429:
            return "429";
        case FaultMode::status_502:
            return "502";
        case FaultMode::drop:
            return "drop";
        case FaultMode::delay:
            return "delay";
        case FaultMode::truncate:
            return "truncate";
        case FaultMode::apply_then_drop:
            return "apply-then-drop";
        case FaultMode::apply_then_delay:
            return "apply-then-delay";
    }
    return "unknown";
}

std::optional<Fault> parse_fault_spec(std::string_view spec) {
    const auto first = spec.find(':');
    Fault fault;
    const auto mode = parse_fault_mode(spec.substr(0, first));
    if (!mode) {
        return std::nullopt;
    }
    fault.mode = *mode;
    if (first == std::string_view::npos) {
        return fault;
    }
    const std::string_view rest = spec.substr(first + 1);
    const auto second = rest.find(':');
    const auto count = parse_number(rest.substr(0, second));
    if (!count || *count < 1) {
        return std::nullopt;
    }
    fault.count = *count;
    if (second != std::string_view::npos) {
        fault.arg = parse_number(rest.substr(second + 1));
        if (!fault.arg) {
            return std::nullopt;
        }
    }
    return fault;
}

void FaultQueue::add(const Fault& fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(fault);
}

void FaultQueue::clear() {
    std::lock_guard lock(mutex_);
    faults_.clear();
}

bool Fault::matches(std::string_view request_method, std::string_view request_path) const {
    return (!method || *method == request_method) && (!path || *path == request_path);
}

std::optional<Fault> FaultQueue::take(std::string_view method, std::string_view path) {
    std::lock_guard lock(mutex_);
    const auto it =
        std::find_if(faults_.begin(), faults_.end(), [&](const Fault& f) { return f.matches(method, path); });
    if (it == faults_.end()) {
        return std::nullopt;
    }
    Fault fault = *it;
    if (--it->count <= 0) {
        faults_.erase(it);
    }
    return fault;
}

bool RequestLog::open_file(const std::string& path) {
    file_.open(path, std::ios::app);
    return static_cast<bool>(file_);
}

void RequestLog::record(RecordedRequest request) {
    std::lock_guard lock(mutex_);
    if (file_.is_open()) {
        rapidjson::StringBuffer buffer;
        JsonWriter w(buffer);
        write_request(w, request);
        file_ << std::string_view(buffer.GetString(), buffer.GetSize()) << '\n' << std::flush;
    }
    requests_.push_back(std::move(request));
}

void RequestLog::clear() {
    std::lock_guard lock(mutex_);
    requests_.clear();
}

std::string RequestLog::to_json() {
    std::lock_guard lock(mutex_);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartArray();
    for (const auto& r : requests_) {
        write_request(w, r);
    }
    w.EndArray();
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace sandbox

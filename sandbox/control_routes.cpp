// SPDX-License-Identifier: MIT
// The control API under /_sandbox/: never authenticated, logged, faulted or delayed.
#include <fmt/format.h>

#include <algorithm>

#include "json_codec.h"
#include "routes.h"
#include "seed.h"

namespace sandbox {
namespace {

void send_error(httplib::Response& res, int status, const std::string& message) {
    send_json(res, status, "{\"error\":" + string_json(message) + "}");
}

bool parse_control_body(const httplib::Request& req, httplib::Response& res, rapidjson::Document& doc) {
    if (const auto error = parse_json(req.body, doc)) {
        send_error(res, 400, "invalid JSON: " + *error);
        return false;
    }
    return true;
}

void all_tokens(SandboxState& state, httplib::Response& res) {
    std::lock_guard lock(state.store_mutex);
    state.housekeep_until_now();
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartArray();
    for (const Token& token : state.store.tokens()) {
        write_token(w, token, *state.store.find_user(token.user), true);
    }
    w.EndArray();
    send_json(res, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

void add_tokens(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    rapidjson::Document doc;
    if (!parse_control_body(req, res, doc)) {
        return;
    }
    if (!doc.IsArray()) {
        send_error(res, 400, "expected an array of tokens in seed format");
        return;
    }
    std::lock_guard lock(state.store_mutex);
    std::vector<User> users;
    for (const auto& [pk, user] : state.store.users()) {
        users.push_back(user);
    }
    // All or nothing: parse and check every token before adding any.
    std::vector<Token> tokens;
    std::set<std::string> seen;
    try {
        for (const auto& value : doc.GetArray()) {
            Token token = parse_seed_token(value, users);
            if (state.store.find_token(token.identifier) != nullptr || !seen.insert(token.identifier).second) {
                throw std::runtime_error(fmt::format("token \"{}\": identifier already exists", token.identifier));
            }
            tokens.push_back(std::move(token));
        }
    } catch (const std::runtime_error& e) {
        send_error(res, 400, e.what());
        return;
    }
    const std::size_t added = tokens.size();
    state.store.insert_all(std::move(tokens));
    send_json(res, 201, fmt::format(R"({{"added":{}}})", added));
}

void add_fault(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    rapidjson::Document doc;
    if (!parse_control_body(req, res, doc)) {
        return;
    }
    if (!doc.IsObject()) {
        send_error(res, 400, "expected {\"mode\": ..., \"count\": N, \"arg\": N, \"method\": ..., \"path\": ...}");
        return;
    }
    Fault fault;
    const rapidjson::Value* mode = find_member(doc, "mode");
    const rapidjson::Value* count = find_member(doc, "count");
    const rapidjson::Value* arg = find_member(doc, "arg");
    const auto parsed = mode != nullptr ? parse_fault_mode(python_str(*mode)) : std::nullopt;
    if (!parsed) {
        send_error(res, 400, "unknown fault mode");
        return;
    }
    fault.mode = *parsed;
    if (count != nullptr && !count->IsNull()) {
        if (!count->IsInt64() || count->GetInt64() < 1) {
            send_error(res, 400, "count must be a positive integer");
            return;
        }
        fault.count = count->GetInt64();
    }
    if (arg != nullptr && !arg->IsNull()) {
        if (!arg->IsInt64() || arg->GetInt64() < 0) {
            send_error(res, 400, "arg must be a non-negative integer");
            return;
        }
        fault.arg = arg->GetInt64();
    }
    if (const rapidjson::Value* method = find_member(doc, "method"); method != nullptr && !method->IsNull()) {
        const std::string text = method->IsString() ? method->GetString() : "";
        // Request methods are case-sensitive: a lowercase one would never match, so refuse it.
        if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
            send_error(res, 400, "method must be a request method in capitals, e.g. \"PATCH\"");
            return;
        }
        fault.method = text;
    }
    if (const rapidjson::Value* path = find_member(doc, "path"); path != nullptr && !path->IsNull()) {
        const std::string text = path->IsString() ? std::string(path->GetString(), path->GetStringLength()) : "";
        if (text.empty() || text.front() != '/' || text.find('?') != std::string::npos) {
            send_error(res, 400, "path must be a request path without query, e.g. \"/api/v3/core/tokens/ci/\"");
            return;
        }
        fault.path = text;
    }
    state.faults.add(fault);
    send_empty(res, 204);
}

void set_clock(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    rapidjson::Document doc;
    if (!parse_control_body(req, res, doc)) {
        return;
    }
    const rapidjson::Value* now = find_member(doc, "now");
    if (now == nullptr) {
        send_error(res, 400, "expected {\"now\": \"RFC3339\" | null}");
        return;
    }
    if (now->IsNull()) {
        state.clock.freeze(std::nullopt);
    } else if (const auto t = now->IsString() ? parse_django_datetime(now->GetString()) : std::nullopt) {
        state.clock.freeze(*t);
    } else {
        send_error(res, 400, "now must be a date-time or null");
        return;
    }
    {
        // The runs the move crossed happen now, not at the next request, so that what the
        // control API shows next is what a server would hold at that instant.
        std::lock_guard lock(state.store_mutex);
        state.housekeep_until_now();
    }
    send_json(res, 200, fmt::format(R"({{"now":"{}"}})", format_iso(state.clock.now())));
}

}  // namespace

void handle_control(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    const std::string& path = req.path;
    const std::string& method = req.method;
    if (path == "/_sandbox/requests" && method == "GET") {
        send_json(res, 200, state.log.to_json());
    } else if (path == "/_sandbox/requests" && method == "DELETE") {
        state.log.clear();
        send_empty(res, 204);
    } else if (path == "/_sandbox/faults" && method == "POST") {
        add_fault(state, req, res);
    } else if (path == "/_sandbox/faults" && method == "DELETE") {
        state.faults.clear();
        send_empty(res, 204);
    } else if (path == "/_sandbox/tokens" && method == "GET") {
        all_tokens(state, res);
    } else if (path == "/_sandbox/tokens" && method == "POST") {
        add_tokens(state, req, res);
    } else if (path == "/_sandbox/reset" && method == "POST") {
        state.reset();
        send_empty(res, 204);
    } else if (path == "/_sandbox/clock" && method == "POST") {
        set_clock(state, req, res);
    } else if (path == "/_sandbox/housekeeping" && method == "POST") {
        std::lock_guard lock(state.store_mutex);
        const auto [rotated, deleted] = state.store.housekeeping(state.clock.now(), state.options.default_duration);
        send_json(res, 200, fmt::format(R"({{"rotated":{},"deleted":{}}})", rotated, deleted));
    } else if (path == "/_sandbox/stats" && method == "GET") {
        send_json(res, 200,
                  fmt::format(R"({{"requests":{},"connections":{},"api_connections":{}}})", state.requests.load(),
                              state.connections.load(), state.api_connections.load()));
    } else {
        send_error(res, 404, fmt::format("no control endpoint {} {}", method, path));
    }
}

}  // namespace sandbox

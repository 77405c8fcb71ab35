// SPDX-License-Identifier: MIT
// The authentik API surface: routing with DRF's order of checks (route, authentication,
// method, object lookup, permission, body).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "json_codec.h"
#include "listing.h"
#include "routes.h"
#include "token_writes.h"

namespace sandbox {
namespace {

constexpr const char* not_found_html =
    "<!doctype html><html><head><title>Not Found</title></head><body><h1>Not Found</h1><p>The requested "
    "resource was not found on this server.</p></body></html>";

enum class RouteKind { token_list, token_detail, view_key, set_key, used_by, users_me, users_list };

struct Route {
    RouteKind kind;
    std::string identifier;
    std::vector<const char*> methods;
};

// DRF's router: every path ends in '/', lookups match [^/.]+.
std::optional<Route> match_route(const std::string& path) {
    static const std::string tokens_prefix = "/api/v3/core/tokens/";
    if (path == "/api/v3/core/users/") {
        return Route{RouteKind::users_list, "", {"GET"}};
    }
    if (path == "/api/v3/core/users/me/") {
        return Route{RouteKind::users_me, "", {"GET"}};
    }
    if (path.rfind(tokens_prefix, 0) != 0) {
        return std::nullopt;
    }
    const std::string rest = path.substr(tokens_prefix.size());
    if (rest.empty()) {
        return Route{RouteKind::token_list, "", {"GET", "POST"}};
    }
    if (rest.back() != '/') {
        return std::nullopt;
    }
    const auto slash = rest.find('/');
    std::string identifier = rest.substr(0, slash);
    if (identifier.empty() || identifier.find('.') != std::string::npos) {
        return std::nullopt;
    }
    const std::string action = rest.substr(slash + 1);
    if (action.empty()) {
        return Route{RouteKind::token_detail, identifier, {"GET", "PUT", "PATCH", "DELETE"}};
    }
    if (action == "view_key/") {
        return Route{RouteKind::view_key, identifier, {"GET"}};
    }
    if (action == "set_key/") {
        return Route{RouteKind::set_key, identifier, {"POST"}};
    }
    if (action == "used_by/") {
        return Route{RouteKind::used_by, identifier, {"GET"}};
    }
    return std::nullopt;
}

std::string lower(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

std::string trim(const std::string& s) {
    const auto first = s.find_first_not_of(" \t");
    if (first == std::string::npos) {
        return "";
    }
    return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// authentik's bearer authentication; answers 403 itself when it fails.
const User* authenticate(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    const std::string header = trim(req.get_header_value("Authorization"));
    const auto space = header.find(' ');
    const std::string scheme = header.substr(0, space);
    if (header.empty() || lower(scheme) != "bearer") {
        send_json(res, 403, detail_json("Authentication credentials were not provided."));
        return nullptr;
    }
    const std::string key = space == std::string::npos ? "" : header.substr(space + 1);
    if (key.empty()) {
        send_json(res, 403, detail_json("Malformed header"));
        return nullptr;
    }
    const Token* token = state.store.authenticate(key, state.clock.now());
    const User* user = token != nullptr ? state.store.find_user(token->user) : nullptr;
    if (user == nullptr) {
        send_json(res, 403, detail_json("Token invalid/expired"));
        return nullptr;
    }
    return user;
}

// DRF's request.data: JSON only; an empty body is an empty dict whatever its type.
bool read_body(const httplib::Request& req, httplib::Response& res, rapidjson::Document& doc) {
    if (req.body.empty()) {
        doc.SetObject();
        return true;
    }
    const std::string content_type = req.get_header_value("Content-Type");
    if (lower(trim(content_type.substr(0, content_type.find(';')))) != "application/json") {
        send_json(res, 415, detail_json(fmt::format("Unsupported media type \"{}\" in request.", content_type)));
        return false;
    }
    if (const auto error = parse_json(req.body, doc)) {
        send_json(res, 400, detail_json("JSON parse error - " + *error));
        return false;
    }
    return true;
}

void send_token(SandboxState& state, httplib::Response& res, int status, const Token& token) {
    send_json(res, status, token_json(token, *state.store.find_user(token.user)));
}

void token_list(SandboxState& state, const httplib::Request& req, httplib::Response& res, const User& caller) {
    const auto selection = select_tokens(state.store, caller, req.params);
    if (!selection.errors.empty()) {
        send_json(res, 400, errors_json(selection.errors));
        return;
    }
    const auto page = paginate(selection.tokens.size(), req.params, state.options.max_page_size);
    if (!page) {
        send_json(res, 404, detail_json("Invalid page."));
        return;
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_pagination(w, *page);
    w.Key("results");
    w.StartArray();
    for (std::size_t i = page->begin; i < page->end; ++i) {
        const Token& token = *selection.tokens[i];
        write_token(w, token, *state.store.find_user(token.user), false);
    }
    w.EndArray();
    w.Key("autocomplete");
    w.StartObject();
    w.EndObject();
    w.EndObject();
    send_json(res, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

void users_list(SandboxState& state, const httplib::Request& req, httplib::Response& res, const User& caller) {
    const auto users = select_users(state.store, caller, req.params);
    const auto page = paginate(users.size(), req.params, state.options.max_page_size);
    if (!page) {
        send_json(res, 404, detail_json("Invalid page."));
        return;
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_pagination(w, *page);
    w.Key("results");
    w.StartArray();
    for (std::size_t i = page->begin; i < page->end; ++i) {
        write_user(w, *users[i]);
    }
    w.EndArray();
    w.Key("autocomplete");
    w.StartObject();
    w.EndObject();
    w.EndObject();
    send_json(res, 200, std::string(buffer.GetString(), buffer.GetSize()));
}

void token_write(SandboxState& state, const httplib::Request& req, httplib::Response& res, const User& caller,
                 const Token* instance, WriteKind kind) {
    rapidjson::Document body;
    if (!read_body(req, res, body)) {
        return;
    }
    const auto now = state.clock.now();
    auto outcome = validate_token_write(state.store, body,
                                        WriteRequest{caller, instance, kind, now, state.options.default_duration});
    if (!outcome.token) {
        send_json(res, 400, errors_json(outcome.errors));
        return;
    }
    const Token token = std::move(*outcome.token);
    if (instance == nullptr) {
        state.store.insert(token);
        send_token(state, res, 201, token);
    } else {
        const std::string old_identifier = instance->identifier;
        state.store.replace(old_identifier, token);
        send_token(state, res, 200, token);
    }
}

void set_key(SandboxState& state, const httplib::Request& req, httplib::Response& res, const Token& token) {
    rapidjson::Document body;
    if (!read_body(req, res, body)) {
        return;
    }
    // TokenSetKey serializer: key is a required, non-blank CharField.
    std::optional<std::string> error;
    std::string key;
    const rapidjson::Value* member = find_member(body, "key");
    if (member == nullptr) {
        error = "This field is required.";
    } else if (member->IsNull()) {
        error = "This field may not be null.";
    } else if (member->IsBool() || !(member->IsString() || member->IsNumber())) {
        error = "Not a valid string.";
    } else {
        key = python_str(*member);
        const auto first = key.find_first_not_of(" \t\n\r\v\f");
        key = first == std::string::npos ? "" : key.substr(first, key.find_last_not_of(" \t\n\r\v\f") - first + 1);
        if (key.empty()) {
            error = "This field may not be blank.";
        }
    }
    if (error) {
        send_json(res, 400, errors_json({{"key", {*error}}}));
        return;
    }
    state.store.set_key(token.identifier, key);
    send_empty(res, 204);
}

void options_metadata(httplib::Response& res, const Route& route) {
    const bool list = route.kind == RouteKind::token_list || route.kind == RouteKind::users_list;
    const char* name = route.kind == RouteKind::users_list || route.kind == RouteKind::users_me
                           ? (list ? "User List" : "User")
                           : (list ? "Token List" : "Token Instance");
    send_json(
        res, 200,
        fmt::format(R"({{"name":"{}","description":"","renders":["application/json"],"parses":["application/json"]}})",
                    name));
}

}  // namespace

void send_json(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json");
}

void send_empty(httplib::Response& res, int status) {
    res.status = status;
    res.body.clear();
}

void handle_api(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    const auto route = match_route(req.path);
    if (!route) {
        res.status = 404;
        res.set_content(not_found_html, "text/html; charset=utf-8");
        return;
    }
    std::lock_guard lock(state.store_mutex);
    const User* caller = authenticate(state, req, res);
    if (caller == nullptr) {
        return;
    }
    const std::string method = req.method == "HEAD" ? "GET" : req.method;
    if (method == "OPTIONS") {
        options_metadata(res, *route);
        return;
    }
    if (std::none_of(route->methods.begin(), route->methods.end(), [&](const char* m) { return method == m; })) {
        send_json(res, 405, detail_json(fmt::format("Method \"{}\" not allowed.", req.method)));
        return;
    }
    switch (route->kind) {
        case RouteKind::users_me:
            send_json(res, 200, user_self_json(*caller));
            return;
        case RouteKind::users_list:
            users_list(state, req, res, *caller);
            return;
        case RouteKind::token_list:
            if (method == "GET") {
                token_list(state, req, res, *caller);
            } else {
                token_write(state, req, res, *caller, nullptr, WriteKind::create);
            }
            return;
        default:
            break;
    }
    // Object routes: get_object() through the caller's queryset, so others' tokens are 404.
    const Token* token = state.store.find_token(route->identifier);
    if (token == nullptr || (!caller->is_superuser && token->user != caller->pk)) {
        send_json(res, 404, detail_json("No Token matches the given query."));
        return;
    }
    const char* permission_denied = "You do not have permission to perform this action.";
    switch (route->kind) {
        case RouteKind::view_key:
            if (!caller->has_permission(permission_view_key) && token->view_key_users.count(caller->pk) == 0) {
                send_json(res, 403, detail_json(permission_denied));
            } else {
                send_json(res, 200, key_json(token->key));
            }
            return;
        case RouteKind::set_key:
            if (!caller->has_permission(permission_set_key)) {
                send_json(res, 403, detail_json(permission_denied));
            } else {
                set_key(state, req, res, *token);
            }
            return;
        case RouteKind::used_by:
            send_json(res, 200, used_by_json(*token));
            return;
        default:
            break;
    }
    if (method == "GET") {
        send_token(state, res, 200, *token);
    } else if (method == "DELETE") {
        state.store.erase(token->identifier);
        send_empty(res, 204);
    } else {
        token_write(state, req, res, *caller, token, method == "PUT" ? WriteKind::replace : WriteKind::partial);
    }
}

}  // namespace sandbox

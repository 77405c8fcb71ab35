// SPDX-License-Identifier: MIT
#include "aktoken/api/client.h"

#include <fmt/format.h>

#include <utility>

#include "aktoken/http/status.h"
#include "aktoken/http/transport_error.h"
#include "aktoken/json/codec.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"

namespace aktoken::api {
namespace {

std::string token_subject(const std::string& identifier) { return fmt::format("token \"{}\"", identifier); }

// A short, readable line from a body that is not JSON (an HTML error page, a proxy's text):
// the page's title or first line of text, never the whole body.
std::string summarise_text(std::string_view body) {
    std::string text;
    text.reserve(std::min<std::size_t>(body.size(), 4096));
    bool in_tag = false;
    std::size_t title = body.find("<title>");
    if (title != std::string_view::npos) {
        body.remove_prefix(title + 7);
    }
    for (char c : body.substr(0, 4096)) {
        if (c == '<') {
            in_tag = true;
            text += '\n';
        } else if (c == '>') {
            in_tag = false;
        } else if (!in_tag) {
            text += c;
        }
    }
    for (std::string_view line : util::split(text, '\n')) {
        std::string trimmed(util::trim(line));
        if (!trimmed.empty()) {
            std::string printable;
            for (char c : trimmed.substr(0, 120)) {
                printable += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
            }
            return printable;
        }
    }
    return {};
}

ErrorKind kind_for_status(long status, const std::optional<std::string>& detail) {
    if (status == 401) {
        return ErrorKind::auth;
    }
    if (status == 403) {
        if (detail &&
            (*detail == "Token invalid/expired" || *detail == "Authentication credentials were not provided.")) {
            return ErrorKind::auth;
        }
        return ErrorKind::permission;
    }
    if (status == 404) {
        return ErrorKind::not_found;
    }
    if (status >= 500) {
        return ErrorKind::server;
    }
    if (status >= 400) {
        return ErrorKind::rejected;
    }
    return ErrorKind::server;
}

// The page size the query asks for (authentik's cap when it names none or a bad one).
std::int64_t asked_page_size(const Query& query) {
    std::int64_t size = kMaxPageSize;
    for (const auto& [name, value] : query) {
        if (name == "page_size") {
            const auto asked = util::parse_count(value, {1, std::nullopt, "a positive integer"});
            size = asked.value_or(kMaxPageSize);
        }
    }
    return size;
}

// Refuses a page that would make the listing unbounded, before anything of it is used.
void check_page(const model::Page<model::Token>& page, std::int64_t number, std::int64_t page_size) {
    const auto malformed = [](const std::string& what) {
        return Error(ErrorKind::server, fmt::format("unexpected answer from the server: {}", what));
    };
    if (static_cast<std::int64_t>(page.results.size()) > page_size) {
        throw malformed(fmt::format("page {} of the token list holds {} tokens, more than the {} asked for", number,
                                    page.results.size(), page_size));
    }
    if (page.total_pages > kMaxListPages) {
        throw Error(ErrorKind::server, fmt::format("the server claims the token list has {} pages; aktoken follows "
                                                   "at most {} pages",
                                                   page.total_pages, kMaxListPages));
    }
    if (page.count > kMaxListedTokens) {
        throw Error(ErrorKind::server, fmt::format("the server claims the token list holds {} tokens; aktoken lists "
                                                   "at most {} tokens",
                                                   page.count, kMaxListedTokens));
    }
    if (page.next != 0 && page.next != number + 1) {
        throw malformed(fmt::format("page {} of the token list names page {} as the next one", number, page.next));
    }
    if (page.next != 0 && page.total_pages > 0 && page.next > page.total_pages) {
        throw malformed(fmt::format("page {} of the token list names page {} as the next one, beyond its {} pages",
                                    number, page.next, page.total_pages));
    }
}

}  // namespace

bool outcome_unknown(const Error& error) {
    if (error.kind() == ErrorKind::network) {
        const auto* transport_error = dynamic_cast<const http::TransportError*>(&error);
        return transport_error == nullptr || transport_error->delivery() == http::Delivery::maybe_sent;
    }
    return error.kind() == ErrorKind::server && (error.status() == 502 || error.status() == 504);
}

std::string url_encode(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

Error error_from_response(const http::Response& response, const std::string& method, const std::string& url,
                          const std::string& subject) {
    const long status = response.status;
    const std::string status_line = http::status_line(status);
    // The retries ran out on this answer (a 503 to the last).
    const std::string gave_up =
        response.attempts > 1 ? fmt::format("; gave up after {} attempts", response.attempts) : std::string();
    if (status >= 300 && status < 400) {
        auto location = response.header("location");
        return Error(ErrorKind::config,
                     fmt::format("the server redirected {} {} to {} ({}); aktoken does not follow redirects: "
                                 "use the final URL with --url",
                                 method, url, location.value_or("an unnamed location"), status_line),
                     status);
    }
    auto body = json::decode_error(response.body);
    if (!body) {
        std::string summary = summarise_text(response.body);
        const ErrorKind kind = kind_for_status(status, std::nullopt);
        std::string message;
        if (kind == ErrorKind::not_found) {
            message = fmt::format("{} from {} {}{}: not an authentik API answer (check --url)", status_line, method,
                                  url, summary.empty() ? "" : fmt::format(" \"{}\"", summary));
        } else {
            message = fmt::format("{} from {} {}{}", status_line, method, url,
                                  summary.empty() ? "" : fmt::format(": {}", summary));
        }
        return Error(kind, message + gave_up, status);
    }
    const ErrorKind kind = kind_for_status(status, body->detail);
    std::string message;
    switch (kind) {
        case ErrorKind::auth:
            message = fmt::format("authentication failed: {} ({})", body->detail.value_or("no detail"), status_line);
            break;
        case ErrorKind::permission:
            message = fmt::format("permission denied: {} ({})", body->detail.value_or("no detail"), status_line);
            break;
        case ErrorKind::not_found:
            if (body->detail == "Invalid page." || subject.empty()) {
                message = fmt::format("{} from {} {}: {}", status_line, method, url, body->detail.value_or(""));
            } else {
                message = fmt::format("{} not found ({})", subject, status_line);
            }
            break;
        default:
            if (body->detail) {
                message = fmt::format("{} ({})", *body->detail, status_line);
            } else if (!body->fields.empty() && kind == ErrorKind::rejected) {
                message = fmt::format("the server rejected the request ({})", status_line);
            } else if (!body->fields.empty() && !body->fields.front().second.empty()) {
                message =
                    fmt::format("{} from {} {}: {}", status_line, method, url, body->fields.front().second.front());
            } else {
                message = fmt::format("{} from {} {}", status_line, method, url);
            }
            break;
    }
    return Error(kind, message + gave_up, status, kind == ErrorKind::rejected ? body->fields : FieldErrors{});
}

unsigned Credentials::append_to(std::string& out) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!token_) {
        token_ = load_();
    }
    out += token_->view();
    return generation_;
}

bool Credentials::holds(std::string_view key) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!token_) {
        token_ = load_();
    }
    const std::string_view token = token_->view();
    // No early exit on the first difference: how long the comparison takes tells nothing of the key.
    unsigned char difference = token.size() == key.size() ? 0 : 1;
    for (std::size_t i = 0; i < key.size(); ++i) {
        difference |= static_cast<unsigned char>(key[i] ^ (i < token.size() ? token[i] : 0));
    }
    return difference == 0;
}

unsigned Credentials::generation() {
    std::lock_guard<std::mutex> lock(mutex_);
    return generation_;
}

void Credentials::replace(util::Secret token) {
    std::lock_guard<std::mutex> lock(mutex_);
    token_ = std::move(token);
    ++generation_;
}

Client::Client(http::Transport& transport, std::string base_url, std::shared_ptr<Credentials> credentials,
               http::ConcurrentTransport* concurrent)
    : transport_(transport),
      base_url_(std::move(base_url)),
      credentials_(std::move(credentials)),
      concurrent_(concurrent) {}

std::string Client::url(const std::string& path, const Query& query) const {
    std::string result = base_url_ + path;
    char separator = '?';
    for (const auto& [name, value] : query) {
        result += separator;
        result += url_encode(name);
        result += '=';
        result += url_encode(value);
        separator = '&';
    }
    return result;
}

std::string Client::token_url(const std::string& identifier) const {
    return url("/core/tokens/" + url_encode(identifier) + "/");
}

unsigned Client::authorize(http::Request& request, const CallOptions& options) {
    if (request.headers.empty() || request.headers.back().first != "Authorization") {
        request.headers.emplace_back("Authorization", "");
    }
    std::string& authorization = request.headers.back().second;
    util::wipe(authorization);
    authorization = "Bearer ";
    if (options.bearer) {
        authorization += *options.bearer;
        return 0;
    }
    return credentials_->append_to(authorization);
}

http::Response Client::call(const std::string& method, const std::string& url, std::string_view body,
                            const std::string& subject, const CallOptions& options) {
    http::Request request;
    request.compressed_answer = options.list_page;
    request.max_answer_bytes = options.list_page ? 0 : kMaxObjectAnswerBytes;
    request.method = method;
    request.url = url;
    request.body = body;
    request.fresh_connection = options.fresh_connection;
    http::Response response;
    // A parallel worker may have rotated the run's own token while this request was on its way:
    // an authentication failure with an outdated token is worth one more try with the new one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const unsigned generation = authorize(request, options);
        std::string& authorization = request.headers.back().second;
        try {
            response = transport_.send(request);
        } catch (...) {
            util::wipe(authorization);
            util::wipe(request.body);
            throw;
        }
        const bool auth_failed = response.status == 401 || response.status == 403;
        if (!auth_failed || options.bearer || credentials_->generation() == generation) {
            break;
        }
    }
    util::wipe(request.headers.back().second);
    util::wipe(request.body);
    if (response.status < 200 || response.status >= 300) {
        throw error_from_response(response, method, url, subject);
    }
    return response;
}

model::Token Client::get_token(const std::string& identifier) {
    return json::decode_token(call("GET", token_url(identifier), {}, token_subject(identifier)).body);
}

model::Token Client::patch_token(const std::string& identifier, const model::TokenPatch& patch) {
    http::Request request = patch_request(identifier, patch);
    return json::decode_token(call(request.method, request.url, request.body, token_subject(identifier)).body);
}

http::Request Client::patch_request(const std::string& identifier, const model::TokenPatch& patch) const {
    return {"PATCH", token_url(identifier), {}, json::encode_patch(patch)};
}

model::Token Client::create_token(const model::TokenPatch& fields) {
    return json::decode_token(
        call("POST", url("/core/tokens/"), json::encode_patch(fields), "", {std::nullopt, true, false}).body);
}

void Client::delete_token(const std::string& identifier) {
    try {
        call("DELETE", token_url(identifier), {}, token_subject(identifier));
    } catch (const Error& e) {
        if (e.kind() != ErrorKind::not_found || !transport_.retried_after_unknown_outcome()) {
            throw;
        }
    }
}

void Client::list_token_pages(const Query& query, std::int64_t first, std::int64_t last,
                              const std::function<bool(model::Page<model::Token>&)>& on_page) {
    const auto page_url = [&](std::int64_t page) {
        Query paged = query;
        paged.emplace_back("page", std::to_string(page));
        return url("/core/tokens/", paged);
    };
    const CallOptions options{std::nullopt, false, true};
    const std::int64_t page_size = asked_page_size(query);
    if (concurrent_ == nullptr) {
        for (std::int64_t page = first; page <= last; ++page) {
            model::Page<model::Token> tokens =
                json::decode_token_page(call("GET", page_url(page), {}, "", options).body);
            check_page(tokens, page, page_size);
            if (!on_page(tokens)) {
                return;
            }
        }
        return;
    }
    // No second try after a rotation of the run's token here: nothing rotates while listing.
    concurrent_->send_in_order(
        last < first ? 0 : static_cast<std::size_t>(last - first + 1),
        [&](std::size_t index) {
            http::Request request;
            request.method = "GET";
            request.url = page_url(first + static_cast<std::int64_t>(index));
            request.compressed_answer = true;
            authorize(request, options);
            return request;
        },
        [&](std::size_t index, http::Response& response) {
            if (response.status < 200 || response.status >= 300) {
                throw error_from_response(response, "GET", page_url(first + static_cast<std::int64_t>(index)), "");
            }
            // The body goes as soon as it is decoded: the window holds enough of them already.
            model::Page<model::Token> tokens = json::decode_token_page(std::exchange(response.body, {}));
            check_page(tokens, first + static_cast<std::int64_t>(index), page_size);
            return on_page(tokens);
        });
}

util::Secret Client::view_key(const std::string& identifier) {
    http::Response response = call("GET", token_url(identifier) + "view_key/", {}, token_subject(identifier));
    util::Secret key = json::decode_key(response.body);
    util::wipe(response.body);
    return key;
}

void Client::set_key(const std::string& identifier, std::string_view key) {
    util::Secret body = json::encode_set_key(key);
    call("POST", token_url(identifier) + "set_key/", body.view(), token_subject(identifier));
}

std::vector<model::UsedBy> Client::used_by(const std::string& identifier) {
    return json::decode_used_by(call("GET", token_url(identifier) + "used_by/", {}, token_subject(identifier)).body);
}

std::string Client::version() { return json::decode_version(call("GET", url("/admin/version/"), {}, "").body); }

model::User Client::me() { return json::decode_me(call("GET", url("/core/users/me/"), {}, "").body); }

model::User Client::me_as(std::string_view key) {
    return json::decode_me(call("GET", url("/core/users/me/"), {}, "", {key, false, false}).body);
}

void Client::use_token(util::Secret key) { credentials_->replace(std::move(key)); }

model::Settings Client::settings() { return json::decode_settings(call("GET", url("/admin/settings/"), {}, "").body); }

model::Page<model::User> Client::users(const Query& query) {
    return json::decode_user_page(call("GET", url("/core/users/", query), {}, "", {std::nullopt, false, true}).body);
}

}  // namespace aktoken::api

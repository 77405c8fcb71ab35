// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aktoken/http/transport.h"
#include "aktoken/model/token.h"
#include "aktoken/util/error.h"
#include "aktoken/util/secret.h"

namespace aktoken::api {

// Query parameters in the order they are sent.
using Query = std::vector<std::pair<std::string, std::string>>;

// The API token shared by every Client of a run: read when the first request needs it (so
// that commands sending nothing read no token file), replaced when the run rotates it.
// Thread-safe.
class Credentials {
public:
    explicit Credentials(std::function<util::Secret()> load) : load_(std::move(load)) {}
    // Appends the current token to `out` (e.g. after "Bearer ") and returns its generation.
    unsigned append_to(std::string& out);
    // How many times the token was replaced.
    unsigned generation();
    // Uses `token` from now on.
    void replace(util::Secret token);
    // Whether `key` is the current token, compared in constant time (the token is never handed out).
    bool holds(std::string_view key);

private:
    std::mutex mutex_;
    std::function<util::Secret()> load_;
    std::optional<util::Secret> token_;
    unsigned generation_ = 0;
};

// The ceilings of a token listing, so that no server can make aktoken follow pages forever or
// hold more than it can: authentik caps page_size at 100 by default, and a listing of more than
// a million tokens is taken for a malformed answer (exit 8), as is a page holding more tokens
// than were asked for or a `next` that does not name the following page.
inline constexpr std::int64_t kMaxPageSize = 100;
inline constexpr std::int64_t kMaxListedTokens = 1'000'000;
inline constexpr std::int64_t kMaxListPages = kMaxListedTokens / kMaxPageSize;

// How one request differs from the default.
struct CallOptions {
    std::optional<std::string_view> bearer;  // instead of the run's token
    bool fresh_connection = false;           // never re-sent silently by libcurl (creates)
    // A list page: offered gzip (only lists are large enough to pay off) and accepted up to the
    // transport's cap; any other answer is one object, accepted up to kMaxObjectAnswerBytes.
    bool list_page = false;
};

// The largest answer that is not a list page: a token is about 1.5 KiB, so this is room for any
// real one while the tokens --parallel holds at once stay far below aktoken's 256 MiB.
inline constexpr std::size_t kMaxObjectAnswerBytes = std::size_t{1} << 20;

// One typed method per authentik endpoint. Every non-2xx answer becomes an aktoken::Error
// whose kind follows the exit-status table.
class Client {
public:
    // `concurrent`, when given, sends list_token_pages' requests several at once.
    Client(http::Transport& transport, std::string base_url, std::shared_ptr<Credentials> credentials,
           http::ConcurrentTransport* concurrent = nullptr);

    // The base URL, ending in /api/v3 without a slash.
    const std::string& base_url() const { return base_url_; }

    // The absolute URL of a token, e.g. .../core/tokens/ID/ (with the trailing slash authentik needs).
    std::string token_url(const std::string& identifier) const;

    model::Token get_token(const std::string& identifier);
    model::Token patch_token(const std::string& identifier, const model::TokenPatch& patch);
    // The PATCH that patch_token would send (for --dry-run), without authorization.
    http::Request patch_request(const std::string& identifier, const model::TokenPatch& patch) const;
    // POST on a connection of its own: a create is never sent twice behind the caller's back.
    model::Token create_token(const model::TokenPatch& fields);
    // A 404 after a retry whose first attempt's outcome was unknown counts as deleted.
    void delete_token(const std::string& identifier);
    // Pages first to last of the listing `query` selects (a page parameter is appended), passed to
    // on_page in page order as they arrive; stops early once on_page returns false. Over the
    // concurrent transport when there is one (several pages in flight at once), else one page
    // after the other. The first page that fails throws, after the pages before it were passed on;
    // so does a page beyond the ceilings above (more results than the query's page_size, a
    // claimed count or total_pages past them, a `next` other than the following page or 0, or
    // past total_pages), before it reaches on_page.
    void list_token_pages(const Query& query, std::int64_t first, std::int64_t last,
                          const std::function<bool(model::Page<model::Token>&)>& on_page);
    util::Secret view_key(const std::string& identifier);
    void set_key(const std::string& identifier, std::string_view key);
    std::vector<model::UsedBy> used_by(const std::string& identifier);
    model::User me();
    // The release the server runs (GET /admin/version/, version_current: "2026.5.6").
    std::string version();
    model::Page<model::User> users(const Query& query);
    // GET /admin/settings/: superusers and holders of authentik_rbac.view_system_settings only.
    model::Settings settings();

    // GET /core/users/me/ authenticated with `key` instead of the configured token, to prove
    // that a new key works.
    model::User me_as(std::string_view key);

    // Authenticates every later request of the run (every Client sharing the credentials) with
    // `key`, after the run's own token was rotated.
    void use_token(util::Secret key);
    // Whether the run authenticates with `key` (e.g. a key from view_key).
    bool authenticates_with(std::string_view key) { return credentials_->holds(key); }

    // The URL of a collection or action path below the base, with an encoded query.
    std::string url(const std::string& path, const Query& query = {}) const;

private:
    // The request with the run's token (or options.bearer) in its Authorization header; returns
    // the token's generation (0 for a bearer of its own).
    unsigned authorize(http::Request& request, const CallOptions& options);

    http::Response call(const std::string& method, const std::string& url, std::string_view body,
                        const std::string& subject, const CallOptions& options = {});

    http::Transport& transport_;
    std::string base_url_;
    std::shared_ptr<Credentials> credentials_;
    http::ConcurrentTransport* concurrent_;
};

// Turns a non-2xx answer into the Error that describes it; `subject` names what was asked for
// (e.g. `token "ci"`) for 404 messages.
Error error_from_response(const http::Response& response, const std::string& method, const std::string& url,
                          const std::string& subject);

// A Client with a connection of its own, for work done in parallel.
class Session {
public:
    virtual ~Session() = default;
    virtual Client& client() = 0;
};

// Opens a new Session (sharing the run's settings and credentials).
using SessionFactory = std::function<std::unique_ptr<Session>()>;

// Whether an error leaves open if the request was applied: the connection dropped after the
// request may have been sent, or a proxy answered 502 or 504.
bool outcome_unknown(const Error& error);

// Percent-encodes a path segment or query value (RFC 3986 unreserved characters kept).
std::string url_encode(std::string_view text);

}  // namespace aktoken::api

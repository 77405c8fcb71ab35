// SPDX-License-Identifier: MIT
#include "http/curl_transfer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>

#include "aktoken/http/transport_error.h"
#include "aktoken/util/error.h"
#include "aktoken/util/secret.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "aktoken/version.h"
#include "http/curl_failure.h"
#include "http/redact.h"

namespace aktoken::http {

namespace {

// Per-request state the callbacks fill in; reset for every send.
struct Exchange {
    std::size_t max_body = 0;
    bool tracing = false;
    std::string body;
    bool body_over_cap = false;
    Headers headers;
    std::string status_line;
    bool connected = false;
    // libcurl's connection lines from before the request went out, and from after.
    std::vector<std::string> info_before;
    std::vector<std::string> info_after;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// libcurl calls back through C frames: no exception may escape these functions.
std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto* exchange = static_cast<Exchange*>(user);
    const std::size_t n = size * count;
    if (n > exchange->max_body - exchange->body.size()) {
        exchange->body_over_cap = true;
        return 0;
    }
    try {
        exchange->body.append(data, n);
    } catch (...) {
        return 0;
    }
    return n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto* exchange = static_cast<Exchange*>(user);
    const std::size_t n = size * count;
    try {
        std::string_view line = trim(std::string_view(data, n));
        if (line.substr(0, 5) == "HTTP/") {
            // A new header block (after a 1xx or a proxy's CONNECT answer) replaces the last.
            exchange->headers.clear();
            exchange->status_line = std::string(line);
            return n;
        }
        if (line.empty()) {
            return n;
        }
        if ((data[0] == ' ' || data[0] == '\t') && !exchange->headers.empty()) {
            // Obsolete line folding: the line continues the previous header's value.
            exchange->headers.back().second += " ";
            exchange->headers.back().second += line;
            return n;
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return n;
        }
        exchange->headers.emplace_back(util::to_lower(trim(line.substr(0, colon))),
                                       std::string(trim(line.substr(colon + 1))));
    } catch (...) {
        return 0;
    }
    return n;
}

int on_prereq(void* user, char*, char*, int, int) noexcept {
    static_cast<Exchange*>(user)->connected = true;
    return CURL_PREREQFUNC_OK;
}

// Only libcurl's own informational lines about connections are shown, and only those known to
// be safe: in 7.88 other text lines can carry request headers (HTTP/2 "h2h3 [authorization: …]")
// or proxy URLs with credentials ("Uses proxy env variable …").
bool is_safe_info(std::string_view line) {
    static constexpr std::string_view prefixes[] = {
        "Trying ",
        "Connected to ",
        "Re-using existing connection",
        "Connection #",
        "Closing connection",
        "Hostname ",
        "SSL connection using ",
        "ALPN: ",
        "SSL certificate verify",
        "Using HTTP2",
    };
    for (std::string_view prefix : prefixes) {
        if (line.substr(0, prefix.size()) == prefix) {
            return true;
        }
    }
    return false;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) noexcept {
    // Headers and data (CURLINFO_HEADER_*, CURLINFO_DATA_*) carry the token: never look at them.
    if (type != CURLINFO_TEXT) {
        return 0;
    }
    auto* exchange = static_cast<Exchange*>(user);
    try {
        std::string_view text(data, size);
        while (!text.empty()) {
            std::size_t end = text.find('\n');
            std::string_view line = trim(text.substr(0, end));
            text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
            if (is_safe_info(line)) {
                (exchange->connected ? exchange->info_after : exchange->info_before)
                    .push_back("* " + std::string(line));
            }
        }
    } catch (...) {
        // Losing a trace line is better than failing the request.
    }
    return 0;
}

bool has_line_break(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool is_known_method(std::string_view method) {
    return method == "GET" || method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

bool has_header(const Headers& headers, std::string_view name) {
    for (const auto& header : headers) {
        if (util::iequals(header.first, name)) {
            return true;
        }
    }
    return false;
}

long to_milliseconds(double seconds) {
    if (seconds <= 0) {
        return 0;
    }
    double ms = std::ceil(seconds * 1000);
    return ms > static_cast<double>(std::numeric_limits<long>::max()) ? std::numeric_limits<long>::max()
                                                                      : static_cast<long>(ms);
}

void trace_body(const std::function<void(std::string_view)>& trace, std::string_view prefix, std::string_view body) {
    if (body.empty()) {
        return;
    }
    std::string redacted = redact_json_keys(body);
    std::string_view text = redacted;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        trace(line.empty() ? std::string(trim(prefix)) : std::string(prefix) + std::string(line));
    }
}

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

}  // namespace

struct Transfer::State {
    CURL* handle;
    const TransportOptions& options;
    const std::string& user_agent;
    std::array<char, CURL_ERROR_SIZE> error_buffer{};
    const Request* request = nullptr;
    Exchange exchange;
    Headers shown;
    Slist headers;

    State(CURL* handle_, const TransportOptions& options_, const std::string& user_agent_)
        : handle(handle_), options(options_), user_agent(user_agent_) {}

    // libcurl has no type checks in C++: these wrappers pin each option's argument type.
    void set_long(CURLoption option, long value) { check(curl_easy_setopt(handle, option, value)); }
    void set_offset(CURLoption option, curl_off_t value) { check(curl_easy_setopt(handle, option, value)); }
    void set_string(CURLoption option, const char* value) { check(curl_easy_setopt(handle, option, value)); }
    void set_pointer(CURLoption option, const void* value) { check(curl_easy_setopt(handle, option, value)); }
    template <typename Function>
    void set_function(CURLoption option, Function* function) {
        check(curl_easy_setopt(handle, option, function));
    }

    static void check(CURLcode rc) {
        if (rc != CURLE_OK) {
            throw Error(ErrorKind::internal, fmt::format("libcurl rejected an option: {}", curl_easy_strerror(rc)));
        }
    }

    // `shown` receives the headers as the trace prints them, already redacted, and only when
    // tracing: the token is copied no more often than libcurl needs it.
    Slist build_headers(const Request& request, bool has_body, Headers& shown) const {
        const bool tracing = static_cast<bool>(options.trace);
        Slist list;
        auto append = [&list](const char* line) {
            curl_slist* grown = curl_slist_append(list.get(), line);
            if (grown == nullptr) {
                throw Error(ErrorKind::internal, "out of memory");
            }
            (void)list.release();
            list.reset(grown);
        };
        auto add = [&](const std::string& name, const std::string& value) {
            // "Name;" is libcurl's way to send an empty value ("Name:" would remove the header).
            std::string line = value.empty() ? name + ";" : name + ": " + value;
            try {
                append(line.c_str());
            } catch (...) {
                util::wipe(line);
                throw;
            }
            util::wipe(line);
            if (tracing) {
                shown.emplace_back(name, redact_header(name, value));
            }
        };
        if (tracing && !has_header(request.headers, "User-Agent")) {
            shown.emplace_back("User-Agent", user_agent);
        }
        if (!has_header(request.headers, "Accept")) {
            add("Accept", "application/json");
        }
        if (has_body && !has_header(request.headers, "Content-Type")) {
            add("Content-Type", "application/json");
        }
        for (const auto& [name, value] : request.headers) {
            add(name, value);
        }
        // Without this libcurl waits up to a second for "100 Continue" before larger bodies.
        append("Expect:");
        return list;
    }

    void configure(const Request& request, Exchange& exchange, bool has_body) {
        // Every option is set again from scratch: a reused handle keeps CUSTOMREQUEST,
        // POSTFIELDS and the rest otherwise, and reset keeps the live connection.
        curl_easy_reset(handle);
        error_buffer[0] = '\0';
        set_pointer(CURLOPT_ERRORBUFFER, error_buffer.data());
        set_string(CURLOPT_URL, request.url.c_str());
        // libcurl silently re-sends a request whose reused connection turned out dead; for a
        // request that is not idempotent a new connection avoids that second, blind attempt.
        set_long(CURLOPT_FRESH_CONNECT, request.fresh_connection ? 1L : 0L);
        // Over HTTPS a transfer waits for a connection being set up instead of opening another:
        // if it speaks HTTP/2, every transfer on the same multi handle (CurlHub) goes over it as
        // a stream. Plain http:// stays HTTP/1.1, where waiting would only delay the others.
        set_long(CURLOPT_PIPEWAIT, util::to_lower(request.url.substr(0, 8)) == "https://" ? 1L : 0L);
        set_string(CURLOPT_PROTOCOLS_STR, "http,https");
        set_string(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        // A redirect is reported to the caller, never followed with the token attached.
        set_long(CURLOPT_FOLLOWLOCATION, 0L);
        set_long(CURLOPT_NOSIGNAL, 1L);
        set_long(CURLOPT_TIMEOUT_MS, to_milliseconds(options.timeout_seconds));
        set_long(CURLOPT_CONNECTTIMEOUT_MS, to_milliseconds(options.connect_timeout_seconds));
        set_string(CURLOPT_USERAGENT, user_agent.c_str());
        // gzip only: brotli at a server's default quality costs it far more CPU than it saves on
        // the wire for answers of a few hundred KiB.
        if (request.compressed_answer) {
            set_string(CURLOPT_ACCEPT_ENCODING, "gzip");
        }
        set_long(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
        if (options.ca_file) {
            set_string(CURLOPT_CAINFO, options.ca_file->c_str());
        }
        if (options.insecure) {
            set_long(CURLOPT_SSL_VERIFYPEER, 0L);
            set_long(CURLOPT_SSL_VERIFYHOST, 0L);
        }
        // Refuses an announced oversized body early; on_body enforces the cap on what arrives.
        set_offset(CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(std::min<std::size_t>(
                                                  exchange.max_body, std::numeric_limits<curl_off_t>::max())));

        if (has_body) {
            set_offset(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
            set_pointer(CURLOPT_POSTFIELDS, request.body.data());
            if (request.method != "POST") {
                set_string(CURLOPT_CUSTOMREQUEST, request.method.c_str());
            }
        } else {
            set_long(CURLOPT_HTTPGET, 1L);
            if (request.method != "GET") {
                set_string(CURLOPT_CUSTOMREQUEST, request.method.c_str());
            }
        }

        set_function(CURLOPT_WRITEFUNCTION, &on_body);
        set_pointer(CURLOPT_WRITEDATA, &exchange);
        set_function(CURLOPT_HEADERFUNCTION, &on_header);
        set_pointer(CURLOPT_HEADERDATA, &exchange);
        set_function(CURLOPT_PREREQFUNCTION, &on_prereq);
        set_pointer(CURLOPT_PREREQDATA, &exchange);
        if (exchange.tracing) {
            set_function(CURLOPT_DEBUGFUNCTION, &on_debug);
            set_pointer(CURLOPT_DEBUGDATA, &exchange);
            set_long(CURLOPT_VERBOSE, 1L);
        }
    }

    void trace_request(const Request& request, const Headers& shown) const {
        const auto& trace = options.trace;
        trace(fmt::format("> {} {}", request.method, display_url(request.url)));
        for (const auto& [name, value] : shown) {
            trace(fmt::format("> {}: {}", name, value));
        }
        trace_body(trace, "> ", request.body);
    }

    void trace_response(const Response& response, const std::string& status_line) const {
        const auto& trace = options.trace;
        std::string status = status_line.empty() ? fmt::format("HTTP {}", response.status) : status_line;
        trace(fmt::format("< {} ({} ms)", status, std::lround(response.seconds * 1000)));
        for (const auto& [name, value] : response.headers) {
            trace(fmt::format("< {}: {}", name, redact_header(name, value)));
        }
        trace_body(trace, "< ", response.body);
    }
};

std::string user_agent_for(const TransportOptions& options) {
    std::string product = options.user_agent.empty() ? std::string("aktoken/") + version() : options.user_agent;
    return fmt::format("{} libcurl/{}", product, curl_version_info(CURLVERSION_NOW)->version);
}

Transfer::Transfer(CURL* handle, const TransportOptions& options, const std::string& user_agent)
    : state_(std::make_unique<State>(handle, options, user_agent)) {}

Transfer::~Transfer() = default;

void Transfer::prepare(const Request& request) {
    if (!is_known_method(request.method)) {
        throw Error(ErrorKind::internal, fmt::format("unsupported HTTP method {}", request.method));
    }
    if (has_line_break(request.url)) {
        throw Error(ErrorKind::usage, "the URL contains a line break");
    }
    for (const auto& [name, value] : request.headers) {
        // A line break would let a value (a token read from a file) inject headers; the value
        // itself stays out of the message since it may be that token.
        if (name.empty() || name.find_first_of(": \t") != std::string::npos || has_line_break(name)) {
            throw Error(ErrorKind::internal, "malformed request header name");
        }
        if (has_line_break(value)) {
            throw Error(ErrorKind::usage, fmt::format("the value of the {} header contains a line break", name));
        }
    }

    State& impl = *state_;
    impl.request = &request;
    impl.exchange = Exchange{};
    impl.exchange.max_body = request.max_answer_bytes != 0
                                 ? std::min(request.max_answer_bytes, impl.options.max_body_bytes)
                                 : impl.options.max_body_bytes;
    impl.exchange.tracing = static_cast<bool>(impl.options.trace);
    impl.shown.clear();
    const bool has_body =
        !request.body.empty() || request.method == "POST" || request.method == "PATCH" || request.method == "PUT";

    impl.headers = impl.build_headers(request, has_body, impl.shown);
    impl.configure(request, impl.exchange, has_body);
    impl.set_pointer(CURLOPT_HTTPHEADER, impl.headers.get());
}

Response Transfer::finish(CURLcode rc) {
    State& impl = *state_;
    const Request& request = *impl.request;
    Exchange& exchange = impl.exchange;
    const Headers& shown = impl.shown;

    connections_ = 0;
    curl_easy_getinfo(impl.handle, CURLINFO_NUM_CONNECTS, &connections_);
    // Traced after the fact, from the Request and Response, so that no header or body ever
    // goes through libcurl's raw debug output; the connection lines keep their order around it.
    auto trace_info_after = [&] {
        for (const auto& line : exchange.info_after) {
            impl.options.trace(line);
        }
    };
    if (exchange.tracing) {
        for (const auto& line : exchange.info_before) {
            impl.options.trace(line);
        }
        impl.trace_request(request, shown);
    }

    if (rc != CURLE_OK) {
        CurlFailure failure;
        failure.code = static_cast<int>(rc);
        failure.url = request.url;
        failure.detail =
            impl.error_buffer[0] != '\0' ? std::string(impl.error_buffer.data()) : std::string(curl_easy_strerror(rc));
        long os_errno = 0;
        curl_easy_getinfo(impl.handle, CURLINFO_OS_ERRNO, &os_errno);
        failure.os_errno = static_cast<int>(os_errno);
        failure.connected = exchange.connected;
        failure.got_status = !exchange.status_line.empty();
        failure.body_over_cap = exchange.body_over_cap;
        failure.body_cap = exchange.max_body;
        if (exchange.tracing) {
            trace_info_after();
        }
        // Whether the request can have reached the server decides whether a retry is safe.
        const bool not_sent =
            !failure.connected && (rc == CURLE_COULDNT_RESOLVE_PROXY || rc == CURLE_COULDNT_RESOLVE_HOST ||
                                   rc == CURLE_COULDNT_CONNECT || rc == CURLE_OPERATION_TIMEDOUT);
        // A certificate or protocol problem does not go away by asking again.
        const bool transient = !(rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
                                 rc == CURLE_SSL_CIPHER || rc == CURLE_UNSUPPORTED_PROTOCOL);
        throw TransportError(describe_curl_failure(failure, impl.options),
                             not_sent ? Delivery::not_sent : Delivery::maybe_sent, transient);
    }

    // libcurl decodes only the encodings it was asked to accept; anything else would reach the
    // JSON parser as compressed bytes and be reported as nonsense.
    if (!request.compressed_answer && !exchange.body.empty()) {
        for (const auto& [name, value] : exchange.headers) {
            if (name == "content-encoding" && !util::iequals(value, "identity")) {
                if (exchange.tracing) {
                    trace_info_after();
                }
                throw Error(ErrorKind::server,
                            fmt::format("the answer from {} is compressed ({}) although aktoken did not ask for that",
                                        url_host(request.url), util::quoted(value)));
            }
        }
    }

    Response response;
    curl_easy_getinfo(impl.handle, CURLINFO_RESPONSE_CODE, &response.status);
    curl_easy_getinfo(impl.handle, CURLINFO_TOTAL_TIME, &response.seconds);
    response.headers = std::move(exchange.headers);
    response.body = std::move(exchange.body);
    if (exchange.tracing) {
        impl.trace_response(response, exchange.status_line);
        trace_info_after();
    }
    return response;
}

}  // namespace aktoken::http

// SPDX-License-Identifier: MIT
#include "http/curl_failure.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <system_error>

#include "aktoken/util/values.h"

namespace aktoken::http {

namespace {

struct UrlParts {
    std::string host;  // as written, IPv6 in brackets; the whole URL if it does not parse
    std::string port;  // explicit or the scheme's default
    std::string scheme;
};

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

struct CurlStringDeleter {
    void operator()(char* p) const { curl_free(p); }
};

std::string get_part(CURLU* u, CURLUPart part, unsigned flags = 0) {
    char* raw = nullptr;
    if (curl_url_get(u, part, &raw, flags) != CURLUE_OK || raw == nullptr) {
        return {};
    }
    std::unique_ptr<char, CurlStringDeleter> owned(raw);
    return std::string(raw);
}

std::unique_ptr<CURLU, UrlDeleter> parse(std::string_view url) {
    std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), 0) != CURLUE_OK) {
        return nullptr;
    }
    return u;
}

// Parsing with libcurl's own URL parser names the host exactly as libcurl saw it.
UrlParts url_parts(std::string_view url) {
    UrlParts parts;
    auto u = parse(url);
    if (!u) {
        parts.host = display_url(url);
        return parts;
    }
    parts.host = get_part(u.get(), CURLUPART_HOST);
    parts.port = get_part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
    parts.scheme = get_part(u.get(), CURLUPART_SCHEME);
    return parts;
}

std::string host_port(const UrlParts& parts) { return parts.port.empty() ? parts.host : parts.host + ":" + parts.port; }

std::string seconds_text(double seconds) { return fmt::format("{:g} s", seconds); }

// The limit that ran out while connecting: the connect timeout, unless the overall one is shorter.
double connect_limit(const TransportOptions& options) {
    double connect = options.connect_timeout_seconds > 0 ? options.connect_timeout_seconds : 300;
    if (options.timeout_seconds > 0) {
        return std::min(connect, options.timeout_seconds);
    }
    return connect;
}

std::string strip_prefix(std::string detail, std::string_view prefix) {
    if (detail.rfind(prefix, 0) == 0) {
        detail.erase(0, prefix.size());
    }
    return detail;
}

std::string_view without_brackets(std::string_view host) {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        return host.substr(1, host.size() - 2);
    }
    return host;
}

// libcurl 7.88 has no CURLINFO_USED_PROXY; its message names the host it really tried, the
// proxy when there is one: "Failed to connect to HOST port PORT after N ms: ...".
std::optional<std::string> proxy_tried(const std::string& detail, const UrlParts& target) {
    static constexpr std::string_view prefix = "Failed to connect to ";
    if (detail.rfind(prefix, 0) != 0) {
        return std::nullopt;
    }
    const std::string_view rest = std::string_view(detail).substr(prefix.size());
    const std::size_t port_at = rest.find(" port ");
    if (port_at == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view host = rest.substr(0, port_at);
    std::string_view port = rest.substr(port_at + 6);
    port = port.substr(0, port.find(' '));
    if (host == without_brackets(target.host) && port == target.port) {
        return std::nullopt;
    }
    return host.find(':') != std::string_view::npos ? fmt::format("[{}]:{}", host, port)
                                                    : fmt::format("{}:{}", host, port);
}

}  // namespace

std::string url_host(std::string_view url) { return url_parts(url).host; }

std::string display_url(std::string_view url) {
    auto u = parse(url);
    if (!u) {
        // Unparseable: still drop anything that looks like user information.
        std::string text(url);
        std::size_t scheme_end = text.find("://");
        std::size_t authority = scheme_end == std::string::npos ? 0 : scheme_end + 3;
        std::size_t at = text.find('@', authority);
        std::size_t slash = text.find('/', authority);
        if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
            text.erase(authority, at + 1 - authority);
        }
        return text;
    }
    bool has_user = !get_part(u.get(), CURLUPART_USER).empty() || !get_part(u.get(), CURLUPART_PASSWORD).empty();
    if (!has_user) {
        // Unchanged when there is nothing to hide, so messages show what the user typed.
        return std::string(url);
    }
    curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
    return get_part(u.get(), CURLUPART_URL);
}

Error describe_curl_failure(const CurlFailure& failure, const TransportOptions& options) {
    const UrlParts parts = url_parts(failure.url);
    const auto code = static_cast<CURLcode>(failure.code);
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return Error(ErrorKind::network, fmt::format("could not resolve host {}", parts.host));
        case CURLE_COULDNT_RESOLVE_PROXY:
            return Error(ErrorKind::network,
                         fmt::format("could not resolve proxy host {} (for {})",
                                     strip_prefix(failure.detail, "Could not resolve proxy: "), parts.host));
        case CURLE_COULDNT_CONNECT: {
            // libcurl 7.88 says only "Couldn't connect to server"; the errno says why.
            std::string reason =
                failure.os_errno != 0 ? std::generic_category().message(failure.os_errno) : failure.detail;
            if (auto proxy = proxy_tried(failure.detail, parts)) {
                return Error(ErrorKind::network,
                             fmt::format("cannot connect to proxy {} (for {}): {}", *proxy, parts.host, reason));
            }
            return Error(ErrorKind::network, fmt::format("cannot connect to {}: {}", host_port(parts), reason));
        }
        case CURLE_OPERATION_TIMEDOUT:
            if (!failure.connected) {
                return Error(ErrorKind::network, fmt::format("cannot connect to {}: timed out after {}",
                                                             host_port(parts), seconds_text(connect_limit(options))));
            }
            return Error(ErrorKind::network, fmt::format("request to {} timed out after {}", display_url(failure.url),
                                                         seconds_text(options.timeout_seconds)));
        case CURLE_PEER_FAILED_VERIFICATION: {
            std::string detail = strip_prefix(failure.detail, "SSL certificate problem: ");
            if (options.ca_file) {
                return Error(ErrorKind::network, fmt::format("TLS certificate of {} could not be verified with CA file "
                                                             "{}: {}",
                                                             parts.host, *options.ca_file, detail));
            }
            return Error(ErrorKind::network, fmt::format("TLS certificate of {} could not be verified: {}; use "
                                                         "--ca-file to trust its CA",
                                                         parts.host, detail));
        }
        case CURLE_SSL_CACERT_BADFILE:
            // A CA file we cannot load is a configuration mistake, not a network failure.
            return Error(ErrorKind::config, fmt::format("cannot use CA file {}: {}",
                                                        options.ca_file.value_or("(system bundle)"), failure.detail));
        case CURLE_SSL_CONNECT_ERROR:
            return Error(ErrorKind::network,
                         fmt::format("TLS handshake with {} failed: {}", host_port(parts), failure.detail));
        case CURLE_RECV_ERROR:
            if (failure.detail.rfind("Too large response headers", 0) == 0) {
                return Error(ErrorKind::server, fmt::format("response headers from {} exceed {} (the limit for all "
                                                            "headers)",
                                                            parts.host, util::byte_size_text(kMaxHeaderBytes)));
            }
            [[fallthrough]];
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
            if (failure.got_status) {
                return Error(ErrorKind::network,
                             fmt::format("connection to {} closed before the response was complete", parts.host));
            }
            return Error(ErrorKind::network, fmt::format("connection to {} closed without a response", parts.host));
        case CURLE_FILESIZE_EXCEEDED:
            return Error(
                ErrorKind::server,
                fmt::format("response body exceeds {}",
                            util::byte_size_text(failure.body_cap != 0 ? failure.body_cap : options.max_body_bytes)));
        case CURLE_WRITE_ERROR:
            if (failure.body_over_cap) {
                return Error(ErrorKind::server,
                             fmt::format("response body exceeds {}",
                                         util::byte_size_text(failure.body_cap != 0 ? failure.body_cap
                                                                                    : options.max_body_bytes)));
            }
            break;
        case CURLE_URL_MALFORMAT:
            return Error(ErrorKind::usage, fmt::format("invalid URL {}", display_url(failure.url)));
        case CURLE_UNSUPPORTED_PROTOCOL:
            // Also raised for a server answering HTTP/0.9, which is no usage error.
            if (parts.scheme != "http" && parts.scheme != "https") {
                return Error(ErrorKind::usage,
                             fmt::format("unsupported URL scheme in {}: use http or https", display_url(failure.url)));
            }
            break;
        case CURLE_OUT_OF_MEMORY:
            // libcurl 7.88 answers a header line beyond its limit with "out of memory", and says
            // nothing else; a real shortage of memory while receiving is far less likely.
            if (failure.connected) {
                return Error(ErrorKind::server, fmt::format("a response header from {} exceeds {} (the limit for "
                                                            "one header line)",
                                                            parts.host, util::byte_size_text(kMaxHeaderLineBytes)));
            }
            return Error(ErrorKind::internal, "out of memory");
        default:
            break;
    }
    return Error(ErrorKind::network, fmt::format("request to {} failed: {}", parts.host, failure.detail));
}

}  // namespace aktoken::http

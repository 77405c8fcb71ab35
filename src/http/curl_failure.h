// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "aktoken/http/curl_transport.h"
#include "aktoken/util/error.h"

namespace aktoken::http {

// What is known about a failed curl_easy_perform, in terms that do not need curl.h.
struct CurlFailure {
    // The CURLcode returned by curl_easy_perform.
    int code = 0;
    // The request URL (user information is stripped before it is shown).
    std::string url;
    // libcurl's error buffer, or curl_easy_strerror when that is empty.
    std::string detail;
    // CURLINFO_OS_ERRNO: the errno of a failed connect, 0 if none.
    int os_errno = 0;
    // Whether a connection was ready and the request about to be sent (CURLOPT_PREREQFUNCTION ran).
    bool connected = false;
    // Whether a status line was received.
    bool got_status = false;
    // Whether the write callback refused the body for exceeding the size cap.
    bool body_over_cap = false;
    // That cap (0: TransportOptions::max_body_bytes).
    std::size_t body_cap = 0;
};

// The aktoken::Error that reports a failure: short, naming the host, never headers or bodies.
Error describe_curl_failure(const CurlFailure& failure, const TransportOptions& options);

// libcurl's limits on what a server may send before the body: one header line, and all of them.
inline constexpr std::size_t kMaxHeaderLineBytes = std::size_t{100} << 10;
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{300} << 10;

// The host of a URL as messages name it (libcurl's parse; the URL without user information
// when it does not parse).
std::string url_host(std::string_view url);

// The URL without any user name or password, as error messages and traces show it.
std::string display_url(std::string_view url);

}  // namespace aktoken::http

// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "aktoken/http/transport.h"

namespace aktoken::http {

class CurlHub;

// The largest answer body aktoken accepts, after decompression. A page of 100 tokens is about
// 150 KiB with authentik's user objects; the cap leaves room for users with large attributes
// while the pages in flight at --parallel 16 (twice that many) stay far below 256 MiB.
inline constexpr std::size_t kMaxAnswerBytes = std::size_t{4} << 20;

// How a CurlTransport connects, verifies servers, limits and traces its requests.
struct TransportOptions {
    // Limit for a whole request, connecting included; 0 or less means no limit.
    double timeout_seconds = 30;
    // Limit for DNS, TCP and TLS setup; 0 or less means libcurl's default of 300 s.
    double connect_timeout_seconds = 10;
    // PEM file of CA certificates to trust instead of the system bundle.
    std::optional<std::string> ca_file;
    // Skips verifying the server's certificate and host name.
    bool insecure = false;
    // Product token such as "aktoken/0.1.0" (empty: "aktoken/<version>"); " libcurl/<v>" is appended.
    std::string user_agent;
    // Largest response body accepted, after decompression; more throws ErrorKind::server.
    std::size_t max_body_bytes = kMaxAnswerBytes;
    // Receives the -v trace one line at a time (no newline), credentials redacted; unset: no trace.
    std::function<void(std::string_view line)> trace;
    // The run's shared multi handle (curl_hub.h): transports given the same one share its
    // connections; unset, a CurlTransport keeps its own connection.
    std::shared_ptr<CurlHub> hub;
};

// A Transport over one libcurl easy handle kept for the whole run, so that consecutive requests
// to the same server share one keep-alive connection; not safe to use from two threads at once.
class CurlTransport : public Transport {
public:
    // Creates the easy handle; throws aktoken::Error (internal) if libcurl cannot.
    explicit CurlTransport(TransportOptions options);
    // Closes the connection and frees the handle.
    ~CurlTransport() override;
    // Not copyable: it owns the handle.
    CurlTransport(const CurlTransport&) = delete;
    // Not copyable: it owns the handle.
    CurlTransport& operator=(const CurlTransport&) = delete;

    // Sends the request and returns any response, whatever its status; see Transport::send.
    Response send(const Request& request) override;

    // Connections opened so far (the sum of CURLINFO_NUM_CONNECTS), for tests and benchmarks.
    long connections_opened() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Initialises libcurl and ignores SIGPIPE for as long as it lives: create one at the top of main.
class GlobalInit {
public:
    // Calls curl_global_init; throws aktoken::Error (internal) if it fails.
    GlobalInit();
    // Calls curl_global_cleanup.
    ~GlobalInit();
    // Not copyable: exactly one cleanup per init.
    GlobalInit(const GlobalInit&) = delete;
    // Not copyable: exactly one cleanup per init.
    GlobalInit& operator=(const GlobalInit&) = delete;
};

}  // namespace aktoken::http

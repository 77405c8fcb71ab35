// SPDX-License-Identifier: MIT
// Injected failures for the next API requests, and the log of recorded API requests.
#pragma once

#include <cstdint>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sandbox {

enum class FaultMode {
    status_503,
    status_500,
    status_429,
    status_502,
    drop,
    delay,
    truncate,
    apply_then_drop,
    apply_then_delay
};

struct Fault {
    FaultMode mode = FaultMode::status_503;
    std::int64_t count = 1;
    // Retry-After seconds (503, 429) or milliseconds (delay, apply-then-delay).
    std::optional<std::int64_t> arg;
    // A targeted fault applies only to requests with this method (e.g. "PATCH") and/or this exact
    // path without the query (e.g. "/api/v3/core/tokens/ci/"); unset matches every request.
    std::optional<std::string> method;
    std::optional<std::string> path;

    // Whether the fault applies to a request with this method and path (path without query).
    bool matches(std::string_view request_method, std::string_view request_path) const;
};

// Parses MODE[:COUNT[:ARG]], e.g. "503:2:5", "drop", "delay:1:3000".
std::optional<Fault> parse_fault_spec(std::string_view spec);
std::optional<FaultMode> parse_fault_mode(std::string_view name);
std::string fault_mode_name(FaultMode mode);

// Faults are consumed in order: the queue is walked from the front and the first fault that
// matches the request is taken (an untargeted fault matches every request), COUNT times.
class FaultQueue {
public:
    void add(const Fault& fault);
    void clear();
    // Takes one use of the first queued fault that matches the request, if any.
    std::optional<Fault> take(std::string_view method, std::string_view path);

private:
    std::mutex mutex_;
    std::deque<Fault> faults_;
};

struct RecordedRequest {
    std::string method;
    std::string path;
    std::string query;
    std::string body;
    std::optional<std::string> content_type;
    std::optional<std::string> authorization_scheme;  // never the credentials
    std::optional<std::string> fault;
};

class RequestLog {
public:
    // Also appends each request as one JSON line to `path` when it is not empty.
    bool open_file(const std::string& path);
    void record(RecordedRequest request);
    void clear();
    std::string to_json();

private:
    std::mutex mutex_;
    std::vector<RecordedRequest> requests_;
    std::ofstream file_;
};

}  // namespace sandbox

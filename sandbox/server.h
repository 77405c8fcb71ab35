// SPDX-License-Identifier: MIT
// The HTTP server: its options, the shared state the routes work on, and the run loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "faults.h"
#include "model.h"
#include "store.h"
#include "timeutil.h"
#include "versions.h"

namespace sandbox {

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 0;
    Seed seed;
    Micros default_duration = 30 * 60 * micros_per_second;
    std::int64_t latency_ms = 0;
    // --max-page-size; without it the version's cap.
    std::optional<std::int64_t> max_page_size;
    std::optional<Micros> now;
    std::vector<Fault> faults;
    std::string request_log;
    int threads = 64;
    VersionRules version = newest_version();
    // Run authentik's expiry housekeeping at every 5-minute boundary the clock crosses.
    bool housekeeping = true;
    // Order tokens with equal sort keys randomly on every list request, as PostgreSQL may.
    bool unstable_ties = false;

    std::int64_t page_size_cap() const { return max_page_size.value_or(version.max_page_size); }
};

// Everything the routes share. The store is guarded by store_mutex; the rest guards itself.
struct SandboxState {
    explicit SandboxState(ServerOptions opts);

    // Back to the seed: store, log, faults and counters.
    void reset();

    // Runs the housekeeping that fell due since the last call, at the boundaries the clock
    // crossed (nothing with --no-housekeeping). Call with store_mutex held.
    void housekeep_until_now();

    ServerOptions options;
    std::mutex store_mutex;
    Store store;
    // The instant up to which scheduled housekeeping has run; guarded by store_mutex.
    Micros housekept_until = 0;
    Clock clock;
    FaultQueue faults;
    RequestLog log;
    std::atomic<std::int64_t> requests{0};
    std::atomic<std::int64_t> connections{0};
    std::atomic<std::int64_t> api_connections{0};
    // Bumped by reset() so each connection counts once towards api_connections per epoch.
    std::atomic<std::int64_t> epoch{0};
};

// Binds, prints the "listening on" line, serves until SIGTERM/SIGINT. Returns the exit code.
int run_server(ServerOptions options);

}  // namespace sandbox

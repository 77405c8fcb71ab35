// SPDX-License-Identifier: MIT
#pragma once

#include <doctest/doctest.h>
#include <httplib.h>

#include <thread>

// A small server of a test's own (a hostile one, say) on 127.0.0.1 at a port the OS picks.
namespace harness {

// Binds `server` and runs it on `thread`; returns the port once the server accepts connections.
inline int serve_on_loopback(httplib::Server& server, std::thread& thread) {
    const int port = server.bind_to_any_port("127.0.0.1");
    REQUIRE(port > 0);
    thread = std::thread([&server] { server.listen_after_bind(); });
    // stop() before the listen loop runs would hang forever.
    while (!server.is_running()) {
        std::this_thread::yield();
    }
    return port;
}

// Stops a server started by serve_on_loopback and waits for its thread.
inline void stop_serving(httplib::Server& server, std::thread& thread) {
    server.stop();
    thread.join();
}

}  // namespace harness

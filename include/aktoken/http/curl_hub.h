// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <memory>

namespace aktoken::http {

// One libcurl multi handle, driven by a thread of its own, that the transports of a run hand
// their transfers to, from any thread: they then share its connections, and over HTTPS with
// HTTP/2 their requests go out as streams of one connection (one TLS handshake per run) instead
// of a connection per thread. The thread starts with the first transfer.
class CurlHub {
public:
    // `max_connections`: the connection cache's size (CURLMOPT_MAXCONNECTS); 0 is libcurl's default.
    explicit CurlHub(long max_connections = 0);
    // Stops the thread and closes the connections; every transfer must have ended or been abandoned.
    ~CurlHub();
    CurlHub(const CurlHub&) = delete;
    CurlHub& operator=(const CurlHub&) = delete;

    // Runs a prepared easy handle (a CURL*) to its end and returns libcurl's result (a CURLcode);
    // blocks the calling thread meanwhile.
    int perform(void* handle);
    // Starts a prepared easy handle; `done` gets libcurl's result, on the hub's thread, once.
    void start(void* handle, std::function<void(int)> done);
    // Takes a started handle off unfinished (its `done` is then never called); returns once it is
    // off. Nothing happens to a handle that has finished.
    void abandon(void* handle);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aktoken::http

// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "aktoken/http/curl_transport.h"
#include "aktoken/http/retry.h"
#include "aktoken/http/transport.h"

namespace aktoken::http {

// A ConcurrentTransport over libcurl's multi interface: up to `parallel` transfers at once on
// one thread, at most twice that many requests ahead of the answer being handed over. The multi
// handle's connection cache keeps connections open from one call to the next. A transfer that
// failed in a way worth retrying (the rules and notes of RetryingTransport) waits out its
// backoff while the others go on. Nothing is set up before the first call. Not safe to use from
// two threads at once.
class CurlMulti : public ConcurrentTransport {
public:
    // `parallel` is clamped to at least 1. An empty note means no notes; an empty clock or
    // jitter the real one.
    CurlMulti(TransportOptions options, RetryPolicy policy, int parallel, RetryNote note = {}, RetryClock clock = {},
              RetryRandom jitter = {});
    ~CurlMulti() override;
    CurlMulti(const CurlMulti&) = delete;
    CurlMulti& operator=(const CurlMulti&) = delete;

    void send_in_order(std::size_t count, const std::function<Request(std::size_t)>& request_for,
                       const std::function<bool(std::size_t, Response&)>& on_answer) override;

    // Connections opened so far, for tests and benchmarks.
    long connections_opened() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace aktoken::http

// SPDX-License-Identifier: MIT
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "aktoken/http/curl_transport.h"

namespace aktoken::http {

// The product token and libcurl version sent as User-Agent.
std::string user_agent_for(const TransportOptions& options);

// One request on one libcurl easy handle, from setting its options to turning the outcome into
// a Response or a TransportError: what CurlTransport (one request at a time) and CurlMulti (many
// at once) share. The handle stays the caller's; reusing it keeps its connection.
class Transfer {
public:
    Transfer(CURL* handle, const TransportOptions& options, const std::string& user_agent);
    ~Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    // Checks the request and sets every option of the handle for it; `request` must stay alive
    // until finish(). Throws Error (usage, internal) for a request that must not be sent.
    void prepare(const Request& request);

    // After libcurl ended the transfer with `rc`: the answer, whatever its status, or a thrown
    // TransportError telling whether the request may have been sent. Traces both when tracing.
    Response finish(CURLcode rc);

    // Connections the last transfer opened (CURLINFO_NUM_CONNECTS).
    long connections_opened() const { return connections_; }

private:
    struct State;

    std::unique_ptr<State> state_;
    long connections_ = 0;
};

}  // namespace aktoken::http

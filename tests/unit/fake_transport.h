// SPDX-License-Identifier: MIT
#pragma once

#include <deque>
#include <functional>
#include <vector>

#include "aktoken/http/transport.h"

namespace aktoken::testing {

// A Transport that records requests and answers with queued responses.
class FakeTransport : public http::Transport {
public:
    http::Response send(const http::Request& request) override {
        requests.push_back(request);
        if (respond) {
            return respond(request);
        }
        if (responses.empty()) {
            return {500, {}, "no response queued", 0};
        }
        http::Response response = responses.front();
        responses.pop_front();
        return response;
    }

    void answer(long status, std::string body, http::Headers headers = {}) {
        responses.push_back({status, std::move(headers), std::move(body), 0});
    }

    bool retried_after_unknown_outcome() const override { return retried_after_unknown; }

    // When set, answers every request instead of the queue (and may look at the caller's state).
    std::function<http::Response(const http::Request&)> respond;
    std::vector<http::Request> requests;
    std::deque<http::Response> responses;
    // What retried_after_unknown_outcome() says, as a retrying transport would after its last send.
    bool retried_after_unknown = false;
};

}  // namespace aktoken::testing

// SPDX-License-Identifier: MIT
#pragma once

#include <deque>
#include <vector>

#include "aktoken/http/transport.h"

namespace aktoken::testing {

// A Transport that records requests and answers with queued responses.
class FakeTransport : public http::Transport {
public:
    http::Response send(const http::Request& request) override {
        requests.push_back(request);
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

    std::vector<http::Request> requests;
    std::deque<http::Response> responses;
};

}  // namespace aktoken::testing

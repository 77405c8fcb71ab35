// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aktoken::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;  // GET, POST, PATCH, PUT, DELETE
    std::string url;     // absolute
    Headers headers;     // besides the ones the transport adds itself
    std::string body;    // sent when non-empty or when method is POST/PATCH/PUT
    // Open a new connection for this request (for requests that must never be sent twice).
    bool fresh_connection = false;
    // Offer gzip: worth it for large answers (list pages), a cost for small ones.
    bool compressed_answer = false;
    // The largest answer body accepted for this request, when smaller than the transport's cap
    // (0: the transport's cap).
    std::size_t max_answer_bytes = 0;
};

struct Response {
    long status = 0;
    Headers headers;  // names lower-cased
    std::string body;
    double seconds = 0;  // time taken
    // The attempts this answer took when retrying it ran out (a 503 to the last); 1 otherwise.
    int attempts = 1;

    // The first header of that (lower-case) name, if any.
    std::optional<std::string> header(const std::string& lower_name) const {
        for (const auto& [name, value] : headers) {
            if (name == lower_name) {
                return value;
            }
        }
        return std::nullopt;
    }
};

// Sends one request and returns the answer whatever its status: deciding what a status means
// is the api module's job. Failures to get any answer (DNS, connect, TLS, timeout, a body over
// the size cap) throw aktoken::Error with ErrorKind::network (or server for an oversized body).
class Transport {
public:
    virtual ~Transport() = default;
    virtual Response send(const Request& request) = 0;

    // Whether the last send repeated the request after an attempt whose outcome was unknown: then
    // an earlier attempt may have been applied, and e.g. a DELETE answering 404 has probably
    // succeeded. Only a transport that retries can; the default says no.
    virtual bool retried_after_unknown_outcome() const { return false; }
};

// Sends many requests at once and hands their answers over in order.
class ConcurrentTransport {
public:
    virtual ~ConcurrentTransport() = default;
    // Sends request_for(0) .. request_for(count - 1), several at once but never far ahead of the
    // answer being handed over (memory stays bounded whatever the count), and calls
    // on_answer(index, response) for each in index order on the calling thread, whatever the
    // status. Once on_answer returns false no further request starts and it returns. A request
    // that gets no answer throws, in its turn, what Transport::send would have thrown.
    virtual void send_in_order(std::size_t count, const std::function<Request(std::size_t)>& request_for,
                               const std::function<bool(std::size_t, Response&)>& on_answer) = 0;
};

}  // namespace aktoken::http

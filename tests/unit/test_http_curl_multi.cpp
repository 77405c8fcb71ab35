// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "aktoken/http/curl_multi.h"
#include "aktoken/util/error.h"
#include "closed_port.h"

namespace {

using aktoken::Error;
using aktoken::ErrorKind;
using aktoken::http::CurlMulti;
using aktoken::http::GlobalInit;
using aktoken::http::Request;
using aktoken::http::Response;
using aktoken::http::RetryPolicy;
using aktoken::http::TransportOptions;

// /page/N answers "N" after (8 - N) * 15 ms, so that earlier pages finish later; /flaky/N
// answers 503 (Retry-After: 0) the first N times, then "ok". Counts requests in flight.
class PageServer {
public:
    PageServer() {
        server_.set_keep_alive_timeout(1);
        server_.Get(R"(/page/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
            const int page = std::stoi(req.matches[1]);
            enter(req);
            std::this_thread::sleep_for(std::chrono::milliseconds(std::max(0, 8 - page) * 15));
            res.set_content(std::to_string(page), "text/plain");
            --in_flight_;
        });
        server_.Get(R"(/flaky/(\d+))", [this](const httplib::Request& req, httplib::Response& res) {
            enter(req);
            if (flaky_calls_++ < std::stoi(req.matches[1])) {
                res.status = 503;
                res.set_header("Retry-After", "0");
                res.set_content("starting", "text/plain");
            } else {
                res.set_content("ok", "text/plain");
            }
            --in_flight_;
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        REQUIRE(port_ > 0);
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) {
            std::this_thread::yield();
        }
    }
    ~PageServer() {
        server_.stop();
        thread_.join();
    }
    PageServer(const PageServer&) = delete;
    PageServer& operator=(const PageServer&) = delete;

    std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
    int most_in_flight() const { return most_in_flight_; }
    int requests() const { return requests_; }
    std::set<int> ports() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return ports_;
    }

private:
    void enter(const httplib::Request& req) {
        ++requests_;
        const int now = ++in_flight_;
        int most = most_in_flight_;
        while (now > most && !most_in_flight_.compare_exchange_weak(most, now)) {
        }
        std::lock_guard<std::mutex> lock(mutex_);
        ports_.insert(req.remote_port);
    }

    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::atomic<int> in_flight_{0};
    std::atomic<int> most_in_flight_{0};
    std::atomic<int> requests_{0};
    std::atomic<int> flaky_calls_{0};
    mutable std::mutex mutex_;
    std::set<int> ports_;
};

Request get(const std::string& url) {
    Request request;
    request.method = "GET";
    request.url = url;
    return request;
}

RetryPolicy retries(int n) {
    RetryPolicy policy;
    policy.retries = n;
    return policy;
}

// A steady clock that moves on 10 s at every reading: a backoff (1 s, 2 s with the default
// policy and no jitter) is over by the next look, so retries are not waited for.
aktoken::http::RetryClock leaping_clock() {
    auto now = std::make_shared<std::chrono::steady_clock::time_point>();
    return [now] { return *now += std::chrono::seconds(10); };
}

// No jitter: every backoff is the whole base * 2^(n-1).
double no_jitter() { return 1.0; }

}  // namespace

TEST_SUITE("http") {
    TEST_CASE("curl multi hands answers over in order, at most `parallel` at a time, within a window") {
        GlobalInit init;
        PageServer server;
        CurlMulti multi(TransportOptions{}, retries(0), 3);
        std::vector<std::string> bodies;
        std::size_t furthest_ahead = 0;
        multi.send_in_order(
            10,
            [&](std::size_t index) {
                furthest_ahead = std::max(furthest_ahead, index - bodies.size());
                return get(server.url("/page/" + std::to_string(index)));
            },
            [&](std::size_t index, Response& response) {
                CHECK(index == bodies.size());
                CHECK(response.status == 200);
                bodies.push_back(response.body);
                return true;
            });
        CHECK(bodies == std::vector<std::string>{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"});
        CHECK(server.most_in_flight() <= 3);
        CHECK(server.most_in_flight() >= 2);
        // Requests are made at most 2 * parallel ahead of the answer handed over.
        CHECK(furthest_ahead <= 6);
        CHECK(multi.connections_opened() <= 3);

        // The connections stay open for the next call.
        const long opened = multi.connections_opened();
        int answers = 0;
        multi.send_in_order(
            3, [&](std::size_t) { return get(server.url("/page/9")); },
            [&](std::size_t, Response&) { return ++answers > 0; });
        CHECK(answers == 3);
        CHECK(multi.connections_opened() == opened);
        CHECK(server.ports().size() == static_cast<std::size_t>(opened));
    }

    TEST_CASE("curl multi stops starting requests once the receiver says so") {
        GlobalInit init;
        PageServer server;
        CurlMulti multi(TransportOptions{}, retries(0), 2);
        std::vector<std::size_t> asked;
        std::vector<std::size_t> answered;
        multi.send_in_order(
            100,
            [&](std::size_t index) {
                asked.push_back(index);
                return get(server.url("/page/9"));
            },
            [&](std::size_t index, Response&) {
                answered.push_back(index);
                return index < 2;
            });
        CHECK(answered == std::vector<std::size_t>{0, 1, 2});
        // Only the window beyond the last answer was ever asked for.
        CHECK(asked.size() <= 3 + 4);
    }

    TEST_CASE("curl multi retries a 503 with backoff, and says so") {
        GlobalInit init;
        PageServer server;
        std::vector<std::string> notes;
        CurlMulti multi(
            TransportOptions{}, retries(3), 2, [&](std::string_view line) { notes.emplace_back(line); },
            leaping_clock(), no_jitter);
        std::vector<std::string> bodies;
        multi.send_in_order(
            2, [&](std::size_t index) { return get(server.url(index == 0 ? "/flaky/2" : "/page/9")); },
            [&](std::size_t, Response& response) {
                bodies.push_back(response.body);
                return true;
            });
        CHECK(bodies == std::vector<std::string>{"ok", "9"});
        CHECK(notes == std::vector<std::string>{"aktoken: retrying in 1 s (503 Service Unavailable), attempt 2 of 4",
                                                "aktoken: retrying in 2 s (503 Service Unavailable), attempt 3 of 4"});
        CHECK(server.requests() == 4);
    }

    TEST_CASE("curl multi hands over the last answer when the retries run out") {
        GlobalInit init;
        PageServer server;
        CurlMulti multi(TransportOptions{}, retries(1), 2, {}, leaping_clock(), no_jitter);
        long status = 0;
        multi.send_in_order(
            1, [&](std::size_t) { return get(server.url("/flaky/5")); },
            [&](std::size_t, Response& response) {
                status = response.status;
                return true;
            });
        CHECK(status == 503);
        CHECK(server.requests() == 2);
    }

    TEST_CASE("curl multi throws a failed request's error in its turn, after the answers before it") {
        GlobalInit init;
        PageServer server;
        const test::ClosedPort closed;
        CurlMulti multi(TransportOptions{}, retries(0), 2);
        std::vector<std::string> bodies;
        const auto start = std::chrono::steady_clock::now();
        try {
            multi.send_in_order(
                4, [&](std::size_t index) { return get(index == 1 ? closed.url("/x") : server.url("/page/9")); },
                [&](std::size_t, Response& response) {
                    bodies.push_back(response.body);
                    return true;
                });
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::network);
            CHECK(std::string(error.what()) ==
                  "cannot connect to 127.0.0.1:" + std::to_string(closed.port()) + ": Connection refused");
        }
        // Refused at once, not given up on after a timeout.
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
        CHECK(bodies == std::vector<std::string>{"9"});

        // The multi handle is usable again afterwards.
        int answers = 0;
        multi.send_in_order(
            2, [&](std::size_t) { return get(server.url("/page/9")); },
            [&](std::size_t, Response&) { return ++answers > 0; });
        CHECK(answers == 2);
    }

    TEST_CASE("curl multi refuses a request that must not be sent, in its turn") {
        GlobalInit init;
        PageServer server;
        CurlMulti multi(TransportOptions{}, retries(0), 2);
        int answers = 0;
        Request bad = get(server.url("/page/1"));
        bad.headers.emplace_back("X-Test", "a\r\nInjected: yes");
        CHECK_THROWS_WITH_AS(multi.send_in_order(
                                 2, [&](std::size_t index) { return index == 0 ? get(server.url("/page/9")) : bad; },
                                 [&](std::size_t, Response&) { return ++answers > 0; }),
                             "the value of the X-Test header contains a line break", Error);
        CHECK(answers == 1);
        CHECK(server.requests() == 1);
    }

}  // TEST_SUITE

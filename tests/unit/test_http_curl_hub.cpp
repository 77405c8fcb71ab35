// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "aktoken/http/curl_hub.h"
#include "aktoken/http/curl_transport.h"

namespace {

using aktoken::http::CurlHub;
using aktoken::http::CurlTransport;
using aktoken::http::GlobalInit;
using aktoken::http::Request;
using aktoken::http::TransportOptions;

// /echo/N answers "N" after 20 ms.
class EchoServer {
public:
    EchoServer() {
        server_.set_keep_alive_max_count(100);
        server_.Get(R"(/echo/(\d+))", [](const httplib::Request& req, httplib::Response& res) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            res.set_content(req.matches[1].str(), "text/plain");
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        REQUIRE(port_ > 0);
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) {
            std::this_thread::yield();
        }
    }
    ~EchoServer() {
        server_.stop();
        thread_.join();
    }
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    Request get(int n) const {
        return {"GET", "http://127.0.0.1:" + std::to_string(port_) + "/echo/" + std::to_string(n), {}, {}};
    }

private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE(
        "curl_hub: transports on several threads each get their own answers and share the hub's "
        "connections") {
        GlobalInit curl;
        EchoServer server;
        TransportOptions options;
        options.hub = std::make_shared<CurlHub>();
        std::atomic<int> right{0};
        std::atomic<long> opened{0};
        std::vector<std::thread> threads;
        threads.reserve(4);
        for (int t = 0; t < 4; ++t) {
            threads.emplace_back([&, t] {
                CurlTransport transport(options);
                for (int i = 0; i < 5; ++i) {
                    const int n = t * 100 + i;
                    if (transport.send(server.get(n)).body == std::to_string(n)) {
                        ++right;
                    }
                }
                opened += transport.connections_opened();
            });
        }
        for (std::thread& thread : threads) {
            thread.join();
        }
        CHECK(right == 20);
        // HTTP/1.1: a connection per transfer running at once, never more.
        CHECK(opened >= 1);
        CHECK(opened <= 4);

        // A new transport on the same hub finds an idle connection in its cache ...
        CurlTransport late(options);
        CHECK(late.send(server.get(7)).body == "7");
        CHECK(late.connections_opened() == 0);
        // ... where one without a hub has a connection of its own to open.
        TransportOptions own;
        CurlTransport alone(own);
        CHECK(alone.send(server.get(8)).body == "8");
        CHECK(alone.connections_opened() == 1);
    }
}

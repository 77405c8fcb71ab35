// SPDX-License-Identifier: MIT
// What aktoken does when a server or an input goes past the documented ceilings: it stops at
// once with exit 8 (server) or 2 (input) and a message naming the ceiling. The memory these
// ceilings bound is measured by bench/limits, not here.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "integration/harness.h"
#include "integration/loopback_server.h"

using namespace harness;

namespace {

// A cpp-httplib server on 127.0.0.1 answering every GET with `answer`, counting the requests.
class HostileServer {
public:
    using Answer = std::function<void(const httplib::Request&, httplib::Response&)>;

    explicit HostileServer(Answer answer) : answer_(std::move(answer)) {
        server_.set_keep_alive_timeout(1);
        server_.Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
            ++requests_;
            answer_(req, res);
        });
        port_ = serve_on_loopback(server_, thread_);
    }
    ~HostileServer() { stop_serving(server_, thread_); }
    HostileServer(const HostileServer&) = delete;
    HostileServer& operator=(const HostileServer&) = delete;

    std::string url() const { return fmt::format("http://127.0.0.1:{}", port_); }
    int requests() const { return requests_; }

private:
    Answer answer_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::atomic<int> requests_{0};
};

std::string token_json(const std::string& identifier, const std::string& description = "") {
    return fmt::format(R"({{"pk":"p-{}","identifier":"{}","intent":"api","user":1,"description":"{}",)"
                       R"("expires":null,"expiring":false,"managed":null}})",
                       identifier, identifier, description);
}

std::string page_json(const std::string& pagination, int tokens, const std::string& prefix = "t") {
    std::string results;
    for (int i = 0; i < tokens; ++i) {
        results += (i == 0 ? "" : ",") + token_json(fmt::format("{}{}", prefix, i));
    }
    return fmt::format(R"({{"pagination":{{{}}},"results":[{}]}})", pagination, results);
}

std::int64_t page_of(const httplib::Request& req) {
    return req.has_param("page") ? std::stoll(req.get_param_value("page")) : 1;
}

Env env_for(const HostileServer& server, const TempDir& home) {
    return {{"HOME", home.path()}, {"AUTHENTIK_URL", server.url()}, {"AUTHENTIK_TOKEN", "hostile-test-token"}};
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("limits: a claimed page count or token count past the ceiling is refused after the first page") {
        TempDir home;
        for (const std::string& pagination : {std::string(R"("next":2,"count":1,"total_pages":8000000000000000)"),
                                              std::string(R"("next":2,"count":8000000000000000,"total_pages":3)")}) {
            CAPTURE(pagination);
            HostileServer server([&](const httplib::Request&, httplib::Response& res) {
                res.set_content(page_json(pagination, 1), "application/json");
            });
            const std::string message =
                pagination.find("total_pages\":8") != std::string::npos
                    ? "the server claims the token list has 8000000000000000 pages; aktoken follows at most 10000 "
                      "pages"
                    : "the server claims the token list holds 8000000000000000 tokens; aktoken lists at most "
                      "1000000 tokens";
            RunResult r = aktoken({"--retries", "0", "list", "-o", "id"}, env_for(server, home));
            CHECK(r.exit_code == 8);
            CHECK(r.out == "");
            CHECK(r.err == error_line(message));
            CHECK(server.requests() == 1);

            r = aktoken({"--retries", "0", "check"}, env_for(server, home));
            CHECK(r.exit_code == 3);  // check's UNKNOWN, whatever went wrong
            CHECK(r.out == "");
            CHECK(r.err == error_line(message));
            CHECK(server.requests() == 2);
        }
    }

    TEST_CASE("limits: a page with more tokens than asked for, or a `next` that does not advance, is malformed") {
        TempDir home;
        struct Case {
            std::function<std::string(std::int64_t)> page;
            std::string out;
            std::string err;
            int requests;
        };
        const std::vector<Case> cases{
            {[](std::int64_t) { return page_json(R"("next":0,"count":101,"total_pages":1)", 101); }, "",
             "unexpected answer from the server: page 1 of the token list holds 101 tokens, more than the 100 "
             "asked for",
             1},
            {[](std::int64_t page) {
                 return page_json(fmt::format(R"("next":{},"total_pages":2)", page + 1), 1, fmt::format("p{}-", page));
             },
             "p1-0\n",
             "unexpected answer from the server: page 2 of the token list names page 3 as the next one, beyond its "
             "2 pages",
             2},
            {[](std::int64_t) { return page_json(R"("next":7)", 1); }, "",
             "unexpected answer from the server: page 1 of the token list names page 7 as the next one", 1},
            {[](std::int64_t page) { return page_json(fmt::format(R"("next":{})", page == 1 ? 2 : page), 1); }, "t0\n",
             "unexpected answer from the server: page 2 of the token list names page 2 as the next one", 2},
        };
        for (const Case& c : cases) {
            CAPTURE(c.err);
            HostileServer server([&](const httplib::Request& req, httplib::Response& res) {
                res.set_content(c.page(page_of(req)), "application/json");
            });
            RunResult r = aktoken({"--retries", "0", "list", "-o", "id"}, env_for(server, home));
            CHECK(r.exit_code == 8);
            CHECK(r.out == c.out);
            CHECK(r.err == error_line(c.err));
            CHECK(server.requests() == c.requests);
        }
    }

    TEST_CASE("limits: an answer past 4 MiB is refused, at the default --parallel and at 16") {
        TempDir home;
        // Page 1 is fine; every later page is one token with a description just past the cap.
        const std::string oversized = fmt::format(R"({{"pagination":{{"next":0,"total_pages":3}},"results":[{}]}})",
                                                  token_json("big", std::string(std::size_t{4} << 20, 'x')));
        HostileServer server([&](const httplib::Request& req, httplib::Response& res) {
            if (page_of(req) == 1) {
                res.set_content(page_json(R"("next":2,"total_pages":3)", 1), "application/json");
            } else {
                res.set_content(oversized, "application/json");
            }
        });
        RunResult r = aktoken({"--retries", "0", "list", "-o", "id"}, env_for(server, home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "t0\n");
        CHECK(r.err == error_line("response body exceeds 4 MiB"));
        CHECK(server.requests() == 3);

        r = aktoken({"--retries", "0", "list", "-o", "id", "--parallel", "16"}, env_for(server, home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "t0\n");
        CHECK(r.err == error_line("response body exceeds 4 MiB"));
        CHECK(server.requests() == 6);
    }

    TEST_CASE("limits: an answer of one token past 1 MiB is refused; a list page may hold it") {
        TempDir home;
        const std::string big = token_json("big", std::string(std::size_t{1} << 20, 'x'));
        HostileServer server([&](const httplib::Request& req, httplib::Response& res) {
            if (req.path == "/api/v3/core/tokens/") {
                res.set_content(fmt::format(R"({{"pagination":{{"next":0,"total_pages":1}},"results":[{}]}})", big),
                                "application/json");
            } else {
                res.set_content(big, "application/json");
            }
        });
        RunResult r = aktoken({"--retries", "0", "get", "big"}, env_for(server, home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "");
        CHECK(r.err == error_line("response body exceeds 1 MiB"));

        r = aktoken({"--retries", "0", "list", "-o", "id"}, env_for(server, home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "big\n");
    }

    TEST_CASE("limits: oversized response headers and an unrequested gzip body are server errors") {
        TempDir home;
        struct Case {
            std::string path;
            std::string err;
        };
        HostileServer server([](const httplib::Request& req, httplib::Response& res) {
            if (req.path == "/api/v3/core/tokens/long/") {
                res.set_header("X-Long", std::string(std::size_t{10} << 20, 'h'));
            } else if (req.path == "/api/v3/core/tokens/flood/") {
                for (int i = 0; i < 1000; ++i) {
                    res.set_header(fmt::format("X-Flood-{}", i), std::string(400, 'f'));
                }
            } else {
                res.set_header("Content-Encoding", "gzip");
                // Gzip bytes full of brackets: once reported as "JSON nested deeper than 64 levels".
                res.set_content(std::string("\x1f\x8b\x08\x00", 4) + std::string(100, '['), "application/json");
                return;
            }
            res.set_content(token_json("x"), "application/json");
        });
        const std::vector<Case> cases{
            {"long", "a response header from 127.0.0.1 exceeds 100 KiB (the limit for one header line)"},
            {"flood", "response headers from 127.0.0.1 exceed 300 KiB (the limit for all headers)"},
            {"gzip", "the answer from 127.0.0.1 is compressed (\"gzip\") although aktoken did not ask for that"},
        };
        int requests = 0;
        for (const Case& c : cases) {
            CAPTURE(c.path);
            RunResult r = aktoken({"get", c.path}, env_for(server, home));
            CHECK(r.exit_code == 8);
            CHECK(r.out == "");
            CHECK(r.err == error_line(c.err));
            // Not retried: the server would send the same again.
            CHECK(server.requests() == ++requests);
        }
    }

    TEST_CASE("limits: a proxy that refuses the connection is named") {
        TempDir home;
        const int port = closed_port();
        const Env env{{"HOME", home.path()},
                      {"AUTHENTIK_URL", "http://ak.example.invalid"},
                      {"AUTHENTIK_TOKEN", "t"},
                      {"http_proxy", fmt::format("http://127.0.0.1:{}", port)}};
        RunResult r = aktoken({"--retries", "0", "get", "ci"}, env);
        CHECK(r.exit_code == 9);
        CHECK(r.out == "");
        // (Plain http to a host that is not loopback: the token would travel unencrypted.)
        CHECK(r.err ==
              "aktoken: warning: the API token goes to ak.example.invalid in plain text (http://, "
              "AUTHENTIK_URL); use https://\n" +
                  error_line(fmt::format(
                      "cannot connect to proxy 127.0.0.1:{} (for ak.example.invalid): Connection refused", port)));
    }

    TEST_CASE("limits: --from-file takes up to 1,000,000 identifiers from a file or standard input alike") {
        TempDir home;
        // Refuses every request: enough to show the input was taken, and what was sent first.
        HostileServer server([](const httplib::Request&, httplib::Response& res) {
            res.status = 403;
            res.set_content(R"({"detail":"Token invalid/expired"})", "application/json");
        });
        std::string many;
        for (int i = 0; i < 100000; ++i) {
            many += fmt::format("token-{:06}\n", i);
        }
        REQUIRE(many.size() > (std::size_t{1} << 20));  // past the 1 MiB files were once refused at
        const std::string file = home.write("many", many);
        const std::string refused = "authentication failed: Token invalid/expired (HTTP 403 Forbidden)";
        RunResult r = aktoken({"--retries", "0", "get", "--parallel", "1", "--from-file", file}, env_for(server, home));
        CHECK(r.exit_code == 4);
        CHECK(r.err == error_line(refused));
        r = aktoken({"--retries", "0", "get", "--parallel", "1", "--from-file", "-"}, env_for(server, home), many);
        CHECK(r.exit_code == 4);
        CHECK(r.err == error_line(refused));
        CHECK(server.requests() == 2);

        std::string too_many;
        for (int i = 0; i <= 1000000; ++i) {
            too_many += "t\n";
        }
        const std::string too_many_file = home.write("too-many", too_many);
        r = aktoken({"get", "--from-file", too_many_file}, env_for(server, home));
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        CHECK(r.err == error_line(fmt::format("--from-file: {} holds more than 1000000 identifiers, the most aktoken "
                                              "takes at once",
                                              too_many_file)));
        r = aktoken({"get", "--from-file", "-"}, env_for(server, home), too_many);
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        CHECK(r.err == error_line("--from-file: standard input holds more than 1000000 identifiers, the most aktoken "
                                  "takes at once"));

        // Comments count against the byte ceiling too: /dev/zero or a runaway file stops there.
        const std::string huge_file = home.path() + "/huge";
        {
            std::ofstream out(huge_file);
            const std::string comment = "#" + std::string(1022, 'c') + "\n";
            for (std::size_t written = 0; written <= (std::size_t{64} << 20); written += comment.size()) {
                out << comment;
            }
        }
        r = aktoken({"get", "--from-file", huge_file}, env_for(server, home));
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        CHECK(r.err == error_line(fmt::format("--from-file: {} holds more than 64 MiB, the most aktoken reads of "
                                              "identifiers",
                                              huge_file)));
        CHECK(server.requests() == 2);
    }

    TEST_CASE("limits: token file modes are named for what they allow; a device is not judged") {
        TempDir home;
        HostileServer server([](const httplib::Request&, httplib::Response& res) {
            res.set_content(token_json("ci"), "application/json");
        });
        Env env = env_for(server, home);
        env.erase("AUTHENTIK_TOKEN");
        for (const auto& [mode, exposure] :
             std::vector<std::pair<unsigned, std::string>>{{0620, "writable by others (mode 0620)"},
                                                           {0602, "writable by others (mode 0602)"},
                                                           {0640, "readable by others (mode 0640)"}}) {
            const std::string file = home.write("token", "secret-token\n", mode);
            RunResult r = aktoken({"--token-file", file, "get", "ci"}, env);
            CHECK(r.exit_code == 3);
            CHECK(r.out == "");
            CHECK(r.err == error_line(fmt::format("token file {} is {}; run: chmod 600 {}", file, exposure, file)));
        }
        RunResult r = aktoken({"--token-file", "/dev/null", "get", "ci"}, env);
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err == error_line("the token in /dev/null is empty"));
        CHECK(server.requests() == 0);
    }
}

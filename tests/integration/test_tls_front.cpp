// SPDX-License-Identifier: MIT
// aktoken over HTTPS and HTTP/2 through a real reverse proxy (nginx_front.h) in front of the
// sandbox: certificates, the proxy's own error pages, multiplexing and closed connections, with
// nginx's access log as the witness of what went over the wire.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <regex>

#include "integration/harness.h"
#include "integration/nginx_front.h"

using namespace harness;

namespace {

// Whether nginx cannot run here; then the case says so in the words that make ctest count it
// as skipped (SKIP_REGULAR_EXPRESSION in tests/CMakeLists.txt) and passes.
bool nginx_missing() {
    if (auto why = NginxFront::unavailable()) {
        std::cout << "aktoken-test-skipped: " << *why << "\n";
        return true;
    }
    return false;
}

// A sandbox on a frozen clock (so that two runs of a command answer alike) behind nginx: "main"
// has a certificate for 127.0.0.1 and localhost, "wrong-name" one for localhost alone.
struct Front {
    Sandbox sandbox{{"--now", "2026-11-29T12:00:00Z"}};
    TempDir home;
    NginxFront front{{{.name = "main", .upstream_port = sandbox.port()},
                      {.name = "wrong-name", .upstream_port = sandbox.port(), .localhost_only = true}}};

    // aktoken's environment for `url`, trusting the throwaway CA through AUTHENTIK_CA_FILE.
    Env env(const std::string& url) const {
        return {{"HOME", home.path()},
                {"AUTHENTIK_URL", url},
                {"AUTHENTIK_TOKEN", kAdminKey},
                {"AUTHENTIK_CA_FILE", front.ca_file()}};
    }
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return lines;
}

// The requests as the sandbox saw them, one line each, sorted: commands that work on several
// tokens send their requests at once, in any order.
std::vector<std::string> seen(const Sandbox& sandbox) {
    std::vector<std::string> result;
    for (const Recorded& request : sandbox.requests()) {
        result.push_back(request.method + " " + request.path + (request.query.empty() ? "" : "?" + request.query) +
                         " " + request.body);
    }
    std::sort(result.begin(), result.end());
    return result;
}

std::string tokens_json(const std::string& prefix, int count) {
    std::string json = "[";
    for (int i = 0; i < count; ++i) {
        json += fmt::format(R"({}{{"identifier":"{}-{:04}","intent":"api","user":3,"description":"bulk {}",)"
                            R"("expires":null,"expiring":false,"managed":null}})",
                            i == 0 ? "" : ",", prefix, i, i);
    }
    return json + "]";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// The text without its "pk:" line: a created token's pk is random.
std::string without_pk(const std::string& text) {
    std::string result;
    for (const std::string& line : lines_of(text)) {
        if (line.rfind("pk:", 0) != 0) {
            result += line + "\n";
        }
    }
    return result;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE(
        "tls: every command that sends requests works through nginx with the CA file, "
        "over HTTP/2, and sends what it sends without the proxy") {
        if (nginx_missing()) {
            return;
        }
        Front fixture;
        auto& sandbox = fixture.sandbox;
        auto& front = fixture.front;
        auto& home = fixture.home;
        // Each command runs twice from the same state: straight to the sandbox over http:// and
        // through nginx over https://. Everything must come out the same but the plain-text warning.
        const std::vector<std::vector<std::string>> commands = {
            {"get", "alice-api", "bob-api"},
            {"list", "-o", "wide"},
            {"list", "--user", "bob", "-o", "json"},
            {"update", "alice-app", "--description", "through nginx"},
            {"create", "made-through-nginx", "--description", "new"},
            {"view-key", "alice-api"},
            {"used-by", "alice-api"},
            {"whoami"},
            {"check", "alice-api", "bob-api"},
            {"delete", "--yes", "bob-app", "alice-recovery"},
        };
        for (const auto& args : commands) {
            CAPTURE(fmt::format("{}", fmt::join(args, " ")));
            sandbox.reset();
            RunResult direct = aktoken(args, aktoken_env(sandbox, kAdminKey, home));
            const auto direct_requests = seen(sandbox);
            sandbox.reset();
            front.take_log("main");
            RunResult tls = aktoken(args, fixture.env(front.url("main")));
            CHECK(tls.exit_code == 0);
            CHECK(tls.exit_code == direct.exit_code);
            CHECK(without_pk(tls.out) == without_pk(replaced(direct.out, sandbox.url(), front.url("main"))));
            CHECK(tls.err == direct.err);
            const auto tls_requests = seen(sandbox);
            CHECK(tls_requests == direct_requests);
            if (tls_requests != direct_requests) {
                MESSAGE(fmt::format("direct:\n{}\nthrough nginx:\n{}", fmt::join(direct_requests, "\n"),
                                    fmt::join(tls_requests, "\n")));
            }
            const auto log = front.take_log("main", direct_requests.size());
            CHECK(log.size() == direct_requests.size());
            for (const Access& line : log) {
                CAPTURE(line.request);
                CHECK(line.protocol == "HTTP/2.0");
                CHECK(line.tls == "TLSv1.3");
            }
        }
    }

    TEST_CASE(
        "tls: get, list and update with --ca-file, without it exit 9 and the advice, "
        "--insecure warns, a name not in the certificate is refused") {
        if (nginx_missing()) {
            return;
        }
        Front fixture;
        auto& front = fixture.front;
        Env env = fixture.env(front.url("main"));
        env.erase("AUTHENTIK_CA_FILE");
        const std::string ca = front.ca_file();
        check_succeeded_quietly(aktoken({"get", "alice-api", "-o", "id", "--ca-file", ca}, env), "alice-api\n");
        check_succeeded_quietly(aktoken({"list", "--user", "alice", "-o", "id", "--ca-file", ca}, env),
                                "alice-api\nalice-app\nalice-recovery\n");
        check_succeeded_quietly(
            aktoken({"update", "alice-app", "--description", "over TLS", "-o", "id", "--ca-file", ca}, env),
            "alice-app\n");
        // get 1, list 1, update 2 (GET, PATCH).
        CHECK(front.take_log("main", 4).size() == 4);

        // The system's CAs do not know the throwaway one: refused during the handshake, no request.
        check_failed(aktoken({"get", "alice-api", "--retries", "0"}, env), 9,
                     error_line("TLS certificate of 127.0.0.1 could not be verified: unable to get local issuer "
                                "certificate; use --ca-file to trust its CA"));

        RunResult r = aktoken({"get", "alice-api", "-o", "id", "--insecure"}, env);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-api\n");
        CHECK(r.err == "aktoken: warning: TLS certificate verification is off (--insecure)\n");
        CHECK(front.take_log("main").size() == 1);

        // The wrong-name site's certificate names localhost alone, signed by the same CA: by that
        // name it is good, by the address it is refused.
        const std::string wrong = front.url("wrong-name");
        check_failed(aktoken({"get", "alice-api", "-o", "id", "--ca-file", ca, "--retries", "0", "--url", wrong}, env),
                     9,
                     error_line(fmt::format("TLS certificate of 127.0.0.1 could not be verified with CA file {}: "
                                            "SSL: no alternative certificate subject name matches target host name "
                                            "'127.0.0.1'",
                                            ca)));
        CHECK(front.take_log("wrong-name").empty());
        const std::string by_name = "https://localhost:" + wrong.substr(wrong.rfind(':') + 1);
        check_succeeded_quietly(aktoken({"get", "alice-api", "-o", "id", "--ca-file", ca, "--url", by_name}, env),
                                "alice-api\n");
        CHECK(front.take_log("wrong-name", 1).size() == 1);
    }

    TEST_CASE(
        "tls: nginx's own 502 (sandbox stopped) and 504 (sandbox slower than proxy_read_timeout) "
        "exit 8 after the retries") {
        if (nginx_missing()) {
            return;
        }
        Sandbox stopped;
        Sandbox slow{{"--latency-ms", "3000"}};
        NginxFront front{{{.name = "stopped", .upstream_port = stopped.port()},
                          {.name = "slow", .upstream_port = slow.port(), .read_timeout = "100ms"}}};
        TempDir home;
        SkippedSleeps sleeps(home);
        Env env = sleeps.apply(
            {{"HOME", home.path()}, {"AUTHENTIK_TOKEN", kAdminKey}, {"AUTHENTIK_CA_FILE", front.ca_file()}});
        stopped.stop();
        for (const auto& answer : std::vector<std::pair<std::string, int>>{{"stopped", 502}, {"slow", 504}}) {
            const std::string& site = answer.first;
            const int status = answer.second;
            CAPTURE(site);
            const std::string url = front.url(site);
            // aktoken's words for the status, then the title of nginx's page.
            const std::string status_line = status == 502 ? "HTTP 502 Bad Gateway" : "HTTP 504 Gateway Timeout";
            const std::string title = status == 502 ? "502 Bad Gateway" : "504 Gateway Time-out";
            env["AUTHENTIK_URL"] = url;
            RunResult r = aktoken({"get", "alice-api", "--retries", "1"}, env);
            CHECK(r.exit_code == 8);
            CHECK(r.out == "");
            const std::string get_url = url + "/api/v3/core/tokens/alice-api/";
            // The wait carries jitter.
            const std::string err =
                std::regex_replace(r.err, std::regex("retrying in [0-9.]+ s"), "retrying in <wait>");
            CHECK(err == fmt::format("aktoken: retrying in <wait> ({}), attempt 2 of 2\n", status_line.substr(5)) +
                             error_line(fmt::format("{} from GET {}: {}; gave up after 2 attempts", status_line,
                                                    get_url, title)));
            // Retried once (the wait skipped), so nginx answered twice.
            CHECK(sleeps.take().size() == 1);
            const auto log = front.take_log(site, 2);
            REQUIRE(log.size() == 2);
            for (const Access& line : log) {
                CHECK(line.status == status);
                CHECK(line.protocol == "HTTP/2.0");
                CHECK(line.request == "GET /api/v3/core/tokens/alice-api/");
            }

            const std::string list_url = url + "/api/v3/core/tokens/?page_size=100&page=1";
            check_failed(aktoken({"list", "--retries", "0"}, env), 8,
                         error_line(fmt::format("{} from GET {}: {}", status_line, list_url, title)));
            CHECK(front.take_log(site, 1).size() == 1);
        }
    }

    TEST_CASE(
        "tls: a listing of 10 pages and an update of 100 tokens at --parallel 8 go over "
        "HTTP/2 on one connection") {
        if (nginx_missing()) {
            return;
        }
        Front fixture;
        auto& sandbox = fixture.sandbox;
        auto& front = fixture.front;
        auto& home = fixture.home;
        // 8 tokens in the seed: 992 more make 1,000, ten pages of 100.
        add_tokens(sandbox, tokens_json("many", 992));
        RunResult r = aktoken({"list", "-o", "id"}, fixture.env(front.url("main")));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(lines_of(r.out).size() == 1000);
        auto log = front.take_log("main", 10);
        CHECK(log.size() == 10);
        CHECK(connections_of(log) == 1);
        for (const Access& line : log) {
            CHECK(line.protocol == "HTTP/2.0");
            CHECK(line.status == 200);
        }

        std::string ids;
        for (int i = 0; i < 100; ++i) {
            ids += fmt::format("many-{:04}\n", i);
        }
        const std::string file = home.write("ids", ids);
        r = aktoken({"update", "--from-file", file, "--parallel", "8", "--description", "multiplexed", "-o", "id"},
                    fixture.env(front.url("main")));
        CHECK(r.err ==
              "aktoken: note: expires moved on 100 api tokens: authentik resets an api token's expiry on "
              "every write\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out == ids);
        log = front.take_log("main", 100);
        std::size_t patches = 0;
        for (const Access& line : log) {
            CHECK(line.protocol == "HTTP/2.0");
            CHECK(line.status == 200);
            patches += line.request.rfind("PATCH ", 0) == 0 ? 1 : 0;
        }
        CHECK(patches == 100);
        CHECK(connections_of(log) == 1);
    }

    TEST_CASE(
        "tls: keep-alive survives nginx closing the idle connection between two phases "
        "of one run") {
        if (nginx_missing()) {
            return;
        }
        Front fixture;
        auto& sandbox = fixture.sandbox;
        auto& front = fixture.front;
        // delete on a terminal reads the token, asks, and deletes once answered. Without a break
        // the DELETE goes over the connection of the reads ...
        Env env = fixture.env(front.url("main"));
        RunResult r = answer_on_terminal(
            AKTOKEN_BINARY, {"delete", "bob-app", "--no-color"}, env, "[y/N] ", [] {}, "y\n");
        CHECK(r.exit_code == 0);
        auto log = front.take_log("main", 3);
        REQUIRE(log.size() == 3);
        CHECK(log[2].request == "DELETE /api/v3/core/tokens/bob-app/");
        CHECK(connections_of(log) == 1);

        // ... and when nginx closes it while aktoken waits for the answer (keepalive_timeout 1s
        // and a reload: the old worker closes its idle connections at once, as keepalive_timeout
        // would a second later), the DELETE goes over a new one and succeeds.
        r = answer_on_terminal(
            AKTOKEN_BINARY, {"delete", "alice-app", "--no-color"}, env, "[y/N] ",
            [&] { front.reload("keepalive_timeout 1s;"); }, "y\n");
        CHECK(r.out ==
              "token \"alice-app\" (intent app_password, owner alice)\r\n"
              "Delete 1 token? [y/N] y\r\n"
              "deleted alice-app\r\n");
        CHECK(r.exit_code == 0);
        CHECK_FALSE(sandbox.key_of("alice-app"));
        log = front.take_log("main", 3);
        REQUIRE(log.size() == 3);
        CHECK(log[0].connection == log[1].connection);
        CHECK(log[2].connection != log[1].connection);
        CHECK(log[2].request == "DELETE /api/v3/core/tokens/alice-app/");
        CHECK(log[2].status == 204);
    }
}

// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "aktoken/http/retry.h"
#include "aktoken/http/transport_error.h"
#include "aktoken/util/error.h"
#include "fake_transport.h"

using namespace std::chrono_literals;
using aktoken::Error;
using aktoken::ErrorKind;
using aktoken::http::Delivery;
using aktoken::http::Outcome;
using aktoken::http::Request;
using aktoken::http::Response;
using aktoken::http::RetryingTransport;
using aktoken::http::RetryPolicy;
using aktoken::http::TransportError;
using std::chrono::seconds;
using std::chrono::sys_days;

namespace {

const std::string base = "https://ak.example/api/v3";
const std::string tokens_url = base + "/core/tokens/";
const std::string token_url = base + "/core/tokens/ci/";
const std::string set_key_url = base + "/core/tokens/ci/set_key/";
const std::string refused = "cannot connect to ak.example:443: Connection refused";
const std::string dropped = "connection to ak.example closed without a response";

Request request(std::string method, std::string url) { return Request{std::move(method), std::move(url), {}, {}}; }

// An inner Transport playing a script of answers and failures on a fake clock, and the hooks
// a RetryingTransport needs, all recording what happened.
class Harness : public aktoken::http::Transport {
public:
    Response send(const Request& r) override {
        sent.push_back(r);
        now += std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::duration<double>(attempt_seconds));
        REQUIRE_FALSE(steps.empty());
        auto step = std::move(steps.front());
        steps.pop_front();
        return step();
    }

    Harness& answer(long status, aktoken::http::Headers headers = {}) {
        steps.emplace_back([=] { return Response{status, headers, "{}", 0}; });
        return *this;
    }
    Harness& fail(Delivery delivery, std::string message = dropped) {
        steps.emplace_back([=]() -> Response { throw TransportError(ErrorKind::network, message, delivery); });
        return *this;
    }
    Harness& fail_plain(ErrorKind kind = ErrorKind::network, std::string message = dropped) {
        steps.emplace_back([=]() -> Response { throw Error(kind, message); });
        return *this;
    }

    RetryingTransport make(RetryPolicy policy = {}) {
        return RetryingTransport(
            *this, policy, [this](std::string_view line) { notes.emplace_back(line); },
            [this](std::chrono::duration<double> d) {
                sleeps.push_back(d.count());
                now += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
            },
            [this] { return now; }, [this] { return jitter; });
    }

    std::deque<std::function<Response()>> steps;
    std::vector<Request> sent;
    std::vector<double> sleeps;
    std::vector<std::string> notes;
    std::chrono::steady_clock::time_point now{};
    double attempt_seconds = 0;
    double jitter = 1.0;
};

using Lines = std::vector<std::string>;
using Sleeps = std::vector<double>;

// 1994-11-06 08:49:30 UTC, seven seconds before the RFC's example date.
const std::chrono::system_clock::time_point rfc_now = sys_days{1994y / 11 / 6} + 8h + 49min + 30s;

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("http retry parse_retry_after reads delta-seconds and saturates") {
        using aktoken::http::parse_retry_after;
        CHECK(parse_retry_after("5", rfc_now) == 5s);
        CHECK(parse_retry_after("0", rfc_now) == 0s);
        CHECK(parse_retry_after(" \t120\t ", rfc_now) == 120s);
        CHECK(parse_retry_after("007", rfc_now) == 7s);
        CHECK(parse_retry_after("2147483647", rfc_now) == 2147483647s);
        CHECK(parse_retry_after("2147483648", rfc_now) == 2147483648s);
        CHECK(parse_retry_after("2147483649", rfc_now) == 2147483648s);
        CHECK(parse_retry_after(std::string(5000, '9'), rfc_now) == 2147483648s);
        CHECK_FALSE(parse_retry_after("", rfc_now));
        CHECK_FALSE(parse_retry_after("  ", rfc_now));
        CHECK_FALSE(parse_retry_after("-5", rfc_now));
        CHECK_FALSE(parse_retry_after("+5", rfc_now));
        CHECK_FALSE(parse_retry_after("5.0", rfc_now));
        CHECK_FALSE(parse_retry_after("5s", rfc_now));
        CHECK_FALSE(parse_retry_after("5 5", rfc_now));
        CHECK_FALSE(parse_retry_after("soon", rfc_now));
        CHECK_FALSE(parse_retry_after(std::string_view("5\0", 2), rfc_now));
    }

    TEST_CASE("http retry parse_retry_after reads the three HTTP-date forms") {
        using aktoken::http::parse_retry_after;
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_now) == 7s);
        CHECK(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", rfc_now) == 7s);
        CHECK(parse_retry_after("Sun Nov  6 08:49:37 1994", rfc_now) == 7s);
        CHECK(parse_retry_after("  Sun, 06 Nov 1994 08:49:37 GMT\t", rfc_now) == 7s);
        CHECK(parse_retry_after("sun, 06 NOV 1994 08:49:37 gmt", rfc_now) == 7s);
        CHECK(parse_retry_after("Mon, 07 Nov 1994 08:49:30 GMT", rfc_now) == 86400s);
        // The day name is not checked against the date.
        CHECK(parse_retry_after("Fri, 06 Nov 1994 08:49:37 GMT", rfc_now) == 7s);
        // Fractions of the current second are dropped before subtracting.
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", rfc_now + 999ms) == 7s);
        // In the past: no wait.
        CHECK(parse_retry_after("Sun, 06 Nov 1994 08:49:29 GMT", rfc_now) == 0s);
        CHECK(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", rfc_now) == 0s);
        // Far ahead: saturated like delta-seconds.
        CHECK(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT", rfc_now) == 2147483648s);
    }

    TEST_CASE("http retry parse_retry_after rejects malformed dates") {
        using aktoken::http::parse_retry_after;
        for (const char* bad : {
                 "Sun, 31 Feb 1994 08:49:37 GMT",     // no such day
                 "Sun, 00 Nov 1994 08:49:37 GMT",     // no such day
                 "Sun, 06 Nov 1994 24:00:00 GMT",     // hour
                 "Sun, 06 Nov 1994 08:60:00 GMT",     // minute
                 "Sun, 06 Nov 1994 08:49:61 GMT",     // second
                 "Sun, 06 Nov 1994 08:49:37 UTC",     // zone
                 "Sun, 06 Nov 1994 08:49:37 +0000",   // zone
                 "Sun, 06 Nov 1994 08:49:37",         // zone missing
                 "Sun, 6 Nov 1994 08:49:37 GMT",      // one-digit day
                 "Sun, 06 Nov 94 08:49:37 GMT",       // two-digit year
                 "Sun, 06 Nov 1994 8:49:37 GMT",      // one-digit hour
                 "Sun, 06 Nov 1994 08:49:37 GMT x",   // trailing text
                 "Sun,06 Nov 1994 08:49:37 GMT",      // space missing
                 "Sun,  06 Nov 1994 08:49:37 GMT",    // two spaces
                 "Sunday, 06 Nov 1994 08:49:37 GMT",  // long name with IMF-fixdate
                 "Sun, 06-Nov-94 08:49:37 GMT",       // short name with RFC 850
                 "Xyz, 06 Nov 1994 08:49:37 GMT",     // day name
                 "06 Nov 1994 08:49:37 GMT",          // day name missing
                 "Sun, 06 Foo 1994 08:49:37 GMT",     // month
                 "Sun, 06 November 1994 08:49:37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
                 "Sun Nov 6 08:49:37 1994",  // asctime pads with a space
                 "Sun Nov  6 08:49:37 94", "Sun Nov 06 08:49:37 1994 GMT", "Sun, 06 Nov 1994 08:49:37 GMT\n", ",",
                 "GMT",
                 // curl_getdate() reads these; an HTTP-date is none of them.
                 "UTC Nov  6 08:49:37 1994",  // a zone for the day name
                 "PST Nov  6 08:49:37 1994",
                 "Sun, 06 Nov 0094 08:49:37 GMT",  // read as 1994
                 "Sun, 06 Nov 1994 08:49:37 PST", "Sunday, 06 Nov 1994 08:49:37", "1994-11-06 08:49:37",
                 "Sun, 06 Nov 1582 08:49:37 GMT",  // before the Gregorian calendar
             }) {
            CAPTURE(bad);
            CHECK_FALSE(parse_retry_after(bad, rfc_now));
        }
    }

    TEST_CASE("http retry parse_http_date takes two-digit years within 50 years of now") {
        using aktoken::http::parse_http_date;
        const auto in_2025 = std::chrono::system_clock::time_point(sys_days{2025y / 6 / 1});
        CHECK(parse_http_date("Thursday, 01-Jan-70 00:00:00 GMT", in_2025) == sys_days{2070y / 1 / 1});
        CHECK(parse_http_date("Thursday, 01-Jan-75 00:00:00 GMT", in_2025) == sys_days{2075y / 1 / 1});
        CHECK(parse_http_date("Thursday, 01-Jan-76 00:00:00 GMT", in_2025) == sys_days{1976y / 1 / 1});
        CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT", in_2025) ==
              sys_days{1994y / 11 / 6} + 8h + 49min + 37s);
        CHECK(parse_http_date("Monday, 01-Jan-25 00:00:00 GMT", in_2025) == sys_days{2025y / 1 / 1});
        CHECK(parse_http_date("Sun Nov 16 08:49:37 1994", in_2025) == sys_days{1994y / 11 / 16} + 8h + 49min + 37s);
        CHECK(parse_http_date("Wed, 29 Feb 2024 23:59:60 GMT", in_2025) == sys_days{2024y / 3 / 1} + 0s);
        CHECK(parse_http_date("Tue, 31 Dec 2024 23:59:60 GMT", in_2025) == sys_days{2025y / 1 / 1} + 0s);
        CHECK(parse_http_date("Tue Dec 31 23:59:60 2024", in_2025) == sys_days{2025y / 1 / 1} + 0s);
        CHECK(parse_http_date("Tuesday, 31-Dec-24 23:59:60 GMT", in_2025) == sys_days{2025y / 1 / 1} + 0s);
        CHECK(parse_http_date("Sun, 06 Nov 1583 08:49:37 GMT", in_2025) == sys_days{1583y / 11 / 6} + 8h + 49min + 37s);
        CHECK_FALSE(parse_http_date("Thu, 29 Feb 2025 00:00:00 GMT", in_2025));
    }

    TEST_CASE("http retry parse_retry_after survives every truncation and byte flip") {
        using aktoken::http::parse_retry_after;
        for (std::string sample : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                                   "Sun Nov  6 08:49:37 1994", "2147483648"}) {
            for (std::size_t n = 0; n < sample.size(); ++n) {
                CAPTURE(n);
                CHECK_NOTHROW((void)parse_retry_after(std::string_view(sample).substr(0, n), rfc_now));
                for (int byte : {0, 0x20, 0x39, 0x2c, 0x3a, 0x41, 0x80, 0xff}) {
                    std::string mutated = sample;
                    mutated[n] = static_cast<char>(byte);
                    CHECK_NOTHROW((void)parse_retry_after(mutated, rfc_now));
                }
            }
        }
    }

    TEST_CASE("http retry is_idempotent allows POST only to set_key") {
        using aktoken::http::is_idempotent;
        for (const char* method : {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"}) {
            CAPTURE(method);
            CHECK(is_idempotent(request(method, token_url)));
        }
        CHECK(is_idempotent(request("POST", set_key_url)));
        CHECK(is_idempotent(request("POST", base + "/core/tokens/ci/set_key")));
        CHECK(is_idempotent(request("POST", set_key_url + "?x=1")));
        CHECK_FALSE(is_idempotent(request("POST", tokens_url)));
        CHECK_FALSE(is_idempotent(request("POST", tokens_url + "?next=/set_key/")));
        CHECK_FALSE(is_idempotent(request("POST", set_key_url + "other/")));
        CHECK_FALSE(is_idempotent(request("POST", base + "/core/tokens/ci/reset_key/")));
        CHECK_FALSE(is_idempotent(request("CONNECT", token_url)));
    }

    TEST_CASE("http retry classify_status and classify_error") {
        using aktoken::http::classify_error;
        using aktoken::http::classify_status;
        CHECK(classify_status(429) == Outcome::not_applied);
        CHECK(classify_status(503) == Outcome::not_applied);
        CHECK(classify_status(502) == Outcome::unknown);
        CHECK(classify_status(504) == Outcome::unknown);
        for (long status : {0L, 200L, 201L, 204L, 301L, 400L, 401L, 403L, 404L, 408L, 409L, 500L, 501L, 505L}) {
            CAPTURE(status);
            CHECK(classify_status(status) == Outcome::done);
        }
        CHECK(classify_error(Error(ErrorKind::network, dropped)) == Outcome::unknown);
        CHECK(classify_error(TransportError(ErrorKind::network, refused, Delivery::not_sent)) == Outcome::not_applied);
        CHECK(classify_error(TransportError(ErrorKind::network, dropped, Delivery::maybe_sent)) == Outcome::unknown);
        CHECK(classify_error(TransportError(ErrorKind::network, "TLS certificate of x could not be verified",
                                            Delivery::not_sent, false)) == Outcome::done);
        CHECK(classify_error(Error(ErrorKind::server, "response body exceeds 64 MiB")) == Outcome::done);
        CHECK(classify_error(TransportError(ErrorKind::server, "response body exceeds 64 MiB", Delivery::maybe_sent)) ==
              Outcome::done);
        CHECK(classify_error(Error(ErrorKind::usage, "invalid URL")) == Outcome::done);
        CHECK(classify_error(Error(ErrorKind::config, "cannot use CA file")) == Outcome::done);
        CHECK(classify_error(Error(ErrorKind::internal, "out of memory")) == Outcome::done);
    }

    TEST_CASE("http retry TransportError wraps an Error keeping kind and message") {
        const TransportError wrapped(Error(ErrorKind::network, refused), Delivery::not_sent);
        CHECK(wrapped.kind() == ErrorKind::network);
        CHECK(std::string(wrapped.what()) == refused);
        CHECK(wrapped.delivery() == Delivery::not_sent);
        CHECK(wrapped.transient());
        CHECK_FALSE(TransportError(ErrorKind::network, "x", Delivery::maybe_sent, false).transient());
    }

    TEST_CASE("http retry retry_delay doubles, caps and applies equal jitter") {
        using aktoken::http::retry_delay;
        const RetryPolicy policy;
        auto delays = [&](double jitter) {
            Sleeps out;
            for (int n = 1; n <= 8; ++n) {
                out.push_back(retry_delay(n, policy, jitter, std::nullopt).count());
            }
            return out;
        };
        CHECK(delays(1.0) == Sleeps{1, 2, 4, 8, 16, 30, 30, 30});
        CHECK(delays(0.0) == Sleeps{0.5, 1, 2, 4, 8, 15, 15, 15});
        CHECK(delays(0.5) == Sleeps{0.75, 1.5, 3, 6, 12, 22.5, 22.5, 22.5});
        // Out-of-range jitter is clamped.
        CHECK(retry_delay(1, policy, -1, std::nullopt).count() == 0.5);
        CHECK(retry_delay(1, policy, 7, std::nullopt).count() == 1);
        CHECK(retry_delay(1, policy, std::nan(""), std::nullopt).count() == 0.5);
        // A huge retry number stays at the maximum.
        CHECK(retry_delay(1000, policy, 1, std::nullopt).count() == 30);
        CHECK(retry_delay(std::numeric_limits<int>::max(), policy, 1, std::nullopt).count() == 30);
        // Retry-After is a floor, capped at retry_after_cap_seconds (even above max_delay).
        CHECK(retry_delay(1, policy, 1, 5s).count() == 5);
        CHECK(retry_delay(4, policy, 1, 5s).count() == 8);
        CHECK(retry_delay(1, policy, 1, 0s).count() == 1);
        CHECK(retry_delay(1, policy, 1, 45s).count() == 45);
        CHECK(retry_delay(1, policy, 1, 3600s).count() == 60);
        RetryPolicy custom;
        custom.base_delay_seconds = 0.25;
        custom.max_delay_seconds = 1;
        custom.retry_after_cap_seconds = 10;
        CHECK(retry_delay(1, custom, 1, std::nullopt).count() == 0.25);
        CHECK(retry_delay(3, custom, 1, std::nullopt).count() == 1);
        CHECK(retry_delay(3, custom, 1, 20s).count() == 10);
    }

    TEST_CASE("http retry retries every retryable status for GET and notes each retry") {
        for (long status : {429L, 502L, 503L, 504L}) {
            CAPTURE(status);
            Harness h;
            h.answer(status).answer(200);
            auto transport = h.make();
            const Response response = transport.send(request("GET", token_url));
            CHECK(response.status == 200);
            CHECK(transport.attempts() == 2);
            CHECK(h.sent.size() == 2);
            CHECK(h.sleeps == Sleeps{1.0});
        }
        Harness h;
        h.answer(429).answer(502).answer(503).answer(204);
        auto transport = h.make();
        CHECK(transport.send(request("GET", token_url)).status == 204);
        CHECK(h.notes == Lines{
                             "aktoken: retrying in 1 s (429 Too Many Requests), attempt 2 of 4",
                             "aktoken: retrying in 2 s (502 Bad Gateway), attempt 3 of 4",
                             "aktoken: retrying in 4 s (503 Service Unavailable), attempt 4 of 4",
                         });
        CHECK(h.sleeps == Sleeps{1, 2, 4});
        CHECK(transport.attempts() == 4);
    }

    TEST_CASE("http retry returns other statuses at once") {
        for (long status : {200L, 201L, 204L, 400L, 401L, 403L, 404L, 408L, 409L, 500L, 501L}) {
            CAPTURE(status);
            Harness h;
            h.answer(status);
            auto transport = h.make();
            const Response response = transport.send(request("GET", token_url));
            CHECK(response.status == status);
            CHECK(response.attempts == 1);
            CHECK(transport.attempts() == 1);
            CHECK(h.sleeps.empty());
            CHECK(h.notes.empty());
            CHECK_FALSE(transport.retried_after_unknown_outcome());
        }
    }

    TEST_CASE("http retry returns the last answer when retries run out") {
        Harness h;
        h.answer(503, {{"x-n", "1"}})
            .answer(503, {{"x-n", "2"}})
            .answer(504, {{"x-n", "3"}})
            .answer(503, {{"x-n", "4"}});
        h.jitter = 0.5;
        auto transport = h.make();
        const Response response = transport.send(request("PATCH", token_url));
        CHECK(response.status == 503);
        CHECK(response.header("x-n") == "4");
        // For the final error: how many attempts the answer took.
        CHECK(response.attempts == 4);
        CHECK(transport.attempts() == 4);
        CHECK(h.sleeps == Sleeps{0.75, 1.5, 3});
        CHECK(h.notes == Lines{
                             "aktoken: retrying in 0.8 s (503 Service Unavailable), attempt 2 of 4",
                             "aktoken: retrying in 1.5 s (503 Service Unavailable), attempt 3 of 4",
                             "aktoken: retrying in 3 s (504 Gateway Timeout), attempt 4 of 4",
                         });
        CHECK(transport.retried_after_unknown_outcome());
    }

    TEST_CASE("http retry retries network errors of idempotent requests and rethrows the last") {
        Harness h;
        h.fail_plain()
            .fail(Delivery::maybe_sent, "request to https://ak.example/ timed out after 30 s")
            .fail(Delivery::not_sent, refused)
            .fail(Delivery::not_sent, refused);
        auto transport = h.make();
        try {
            transport.send(request("GET", token_url));
            FAIL("no exception");
        } catch (const TransportError& error) {
            CHECK(error.kind() == ErrorKind::network);
            CHECK(error.delivery() == Delivery::not_sent);
            CHECK(std::string(error.what()) == refused + "; gave up after 4 attempts");
        }
        CHECK(transport.attempts() == 4);
        CHECK(h.notes == Lines{
                             "aktoken: retrying in 1 s (" + dropped + "), attempt 2 of 4",
                             "aktoken: retrying in 2 s (request to https://ak.example/ "
                             "timed out after 30 s), attempt 3 of 4",
                             "aktoken: retrying in 4 s (" + refused + "), attempt 4 of 4",
                         });
        CHECK(transport.retried_after_unknown_outcome());

        Harness ok;
        ok.fail_plain().answer(200);
        auto second = ok.make();
        CHECK(second.send(request("GET", token_url)).status == 200);
        CHECK(ok.sleeps == Sleeps{1});
    }

    TEST_CASE("http retry does not retry errors that retrying cannot fix") {
        Harness h;
        h.fail_plain(ErrorKind::server, "response body exceeds 64 MiB");
        auto transport = h.make();
        CHECK_THROWS_WITH_AS(transport.send(request("GET", token_url)), "response body exceeds 64 MiB", Error);
        CHECK(transport.attempts() == 1);

        h.fail_plain(ErrorKind::usage, "invalid URL x");
        CHECK_THROWS_WITH_AS(transport.send(request("GET", token_url)), "invalid URL x", Error);

        h.steps.emplace_back([]() -> Response {
            throw TransportError(ErrorKind::network, "TLS certificate of ak.example could not be verified",
                                 Delivery::not_sent, false);
        });
        CHECK_THROWS_AS(transport.send(request("GET", token_url)), TransportError);
        CHECK(transport.attempts() == 1);
        CHECK(h.sleeps.empty());
        CHECK(h.notes.empty());
        CHECK(h.sent.size() == 3);
    }

    TEST_CASE("http retry honours Retry-After in seconds, capped") {
        Harness h;
        h.answer(503, {{"retry-after", "5"}})
            .answer(503, {{"retry-after", "3600"}})
            .answer(429, {{"retry-after", "1"}})
            .answer(200);
        auto transport = h.make();
        CHECK(transport.send(request("GET", token_url)).status == 200);
        CHECK(h.sleeps == Sleeps{5, 60, 4});
        CHECK(h.notes == Lines{
                             "aktoken: retrying in 5 s (503 Service Unavailable), attempt 2 of 4",
                             "aktoken: retrying in 60 s (503 Service Unavailable), attempt 3 of 4",
                             "aktoken: retrying in 4 s (429 Too Many Requests), attempt 4 of 4",
                         });

        Harness custom;
        custom.answer(503, {{"retry-after", "3600"}}).answer(200);
        RetryPolicy policy;
        policy.retry_after_cap_seconds = 10;
        auto capped = custom.make(policy);
        CHECK(capped.send(request("GET", token_url)).status == 200);
        CHECK(custom.sleeps == Sleeps{10});
    }

    TEST_CASE("http retry honours an HTTP-date Retry-After from the server's Date") {
        Harness h;
        h.answer(503, {{"date", "Sun, 06 Nov 1994 08:49:30 GMT"}, {"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}})
            .answer(503, {{"date", "Sun, 06 Nov 1994 08:49:30 GMT"}, {"retry-after", "Sun, 06 Nov 1994 09:49:30 GMT"}})
            // Without Date, measured from the system clock: long past, so the backoff applies.
            .answer(503, {{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}})
            .answer(200);
        auto transport = h.make();
        CHECK(transport.send(request("GET", token_url)).status == 200);
        CHECK(h.sleeps == Sleeps{7, 60, 4});

        Harness future;
        future.answer(503, {{"retry-after", "Fri, 31 Dec 9999 23:59:59 GMT"}}).answer(200);
        auto far = future.make();
        CHECK(far.send(request("GET", token_url)).status == 200);
        CHECK(future.sleeps == Sleeps{60});
    }

    TEST_CASE("http retry ignores an invalid Retry-After") {
        Harness h;
        h.answer(503, {{"retry-after", "soon"}}).answer(503, {{"retry-after", "-5"}}).answer(200);
        auto transport = h.make();
        CHECK(transport.send(request("GET", token_url)).status == 200);
        CHECK(h.sleeps == Sleeps{1, 2});
    }

    TEST_CASE("http retry stops when the next wait would overrun --retry-max-time") {
        Harness h;
        h.answer(503).answer(503).answer(503).answer(200);
        RetryPolicy policy;
        policy.max_time_seconds = 5;
        auto transport = h.make(policy);
        CHECK(transport.send(request("GET", token_url)).status == 503);
        CHECK(transport.attempts() == 3);
        CHECK(h.sleeps == Sleeps{1, 2});
        CHECK(h.notes == Lines{
                             "aktoken: retrying in 1 s (503 Service Unavailable), attempt 2 of 4",
                             "aktoken: retrying in 2 s (503 Service Unavailable), attempt 3 of 4",
                             "aktoken: no retry, 4.0 s wait exceeds the 2.0 s left of "
                             "--retry-max-time: HTTP 503 Service Unavailable",
                         });

        // The attempts' own time counts as well: 0.5 + 1 + 0.5 = 2 s used before the second wait.
        Harness slow;
        slow.attempt_seconds = 0.5;
        slow.answer(503).fail_plain().answer(200);
        policy.max_time_seconds = 3;
        auto second = slow.make(policy);
        CHECK_THROWS_WITH_AS(second.send(request("GET", token_url)), (dropped + "; gave up after 2 attempts").c_str(),
                             Error);
        CHECK(slow.sleeps == Sleeps{1});
        CHECK(slow.notes.back() ==
              "aktoken: no retry, 2.0 s wait exceeds the 1.0 s left of --retry-max-time: " + dropped);

        // A Retry-After beyond the budget means no retry at all.
        Harness later;
        later.answer(503, {{"retry-after", "10"}}).answer(200);
        policy.max_time_seconds = 5;
        auto third = later.make(policy);
        CHECK(third.send(request("GET", token_url)).status == 503);
        CHECK(later.sleeps.empty());
        CHECK(later.notes == Lines{"aktoken: no retry, 10.0 s wait exceeds the 5.0 s left of "
                                   "--retry-max-time: HTTP 503 Service Unavailable"});

        // A wait ending exactly at the budget is still made.
        Harness exact;
        exact.answer(503).answer(503).answer(200);
        policy.max_time_seconds = 3;
        auto fourth = exact.make(policy);
        CHECK(fourth.send(request("GET", token_url)).status == 200);
        CHECK(exact.sleeps == Sleeps{1, 2});
    }

    TEST_CASE("http retry with retries=0 sends once") {
        Harness h;
        h.answer(503).fail_plain();
        RetryPolicy policy;
        policy.retries = 0;
        auto transport = h.make(policy);
        CHECK(transport.send(request("GET", token_url)).status == 503);
        CHECK_THROWS_WITH_AS(transport.send(request("GET", token_url)), dropped.c_str(), Error);
        CHECK(transport.attempts() == 1);
        CHECK(h.sent.size() == 2);
        CHECK(h.sleeps.empty());
        CHECK(h.notes.empty());

        Harness negative;
        negative.answer(503);
        policy.retries = -4;
        auto clamped = negative.make(policy);
        CHECK(clamped.send(request("GET", token_url)).status == 503);
        CHECK(clamped.attempts() == 1);
    }

    TEST_CASE("http retry never resends a creating POST whose outcome is unknown") {
        SUBCASE("network error after sending") {
            Harness h;
            h.fail(Delivery::maybe_sent).answer(201);
            auto transport = h.make();
            CHECK_THROWS_WITH_AS(transport.send(request("POST", tokens_url)), dropped.c_str(), TransportError);
            CHECK(h.sent.size() == 1);
            CHECK(h.notes == Lines{"aktoken: no retry, a POST may have been applied: " + dropped});
        }
        SUBCASE("a plain network Error counts as maybe sent") {
            Harness h;
            h.fail_plain().answer(201);
            auto transport = h.make();
            CHECK_THROWS_WITH_AS(transport.send(request("POST", tokens_url)), dropped.c_str(), Error);
            CHECK(h.sent.size() == 1);
        }
        SUBCASE("502 and 504") {
            for (long status : {502L, 504L}) {
                Harness h;
                h.answer(status).answer(201);
                auto transport = h.make();
                CHECK(transport.send(request("POST", tokens_url)).status == status);
                CHECK(transport.attempts() == 1);
                CHECK_FALSE(transport.retried_after_unknown_outcome());
                CHECK(h.sleeps.empty());
            }
            Harness h;
            h.answer(502);
            auto transport = h.make();
            transport.send(request("POST", tokens_url));
            CHECK(h.notes == Lines{"aktoken: no retry, a POST may have been applied: HTTP 502 Bad Gateway"});
        }
        SUBCASE("unknown after a retry that was safe") {
            Harness h;
            h.answer(503).fail(Delivery::maybe_sent).answer(201);
            auto transport = h.make();
            CHECK_THROWS_WITH_AS(transport.send(request("POST", tokens_url)),
                                 (dropped + "; gave up after 2 attempts").c_str(), TransportError);
            CHECK(transport.attempts() == 2);
            CHECK(h.notes == Lines{
                                 "aktoken: retrying in 1 s (503 Service Unavailable), attempt 2 of 4",
                                 "aktoken: no retry, a POST may have been applied: " + dropped,
                             });
        }
    }

    TEST_CASE("http retry resends a creating POST that certainly was not applied") {
        Harness h;
        h.fail(Delivery::not_sent, refused)
            .fail(Delivery::not_sent, "could not resolve host ak.example")
            .answer(503, {{"retry-after", "5"}})
            .answer(429)
            .answer(201);
        RetryPolicy policy;
        policy.retries = 4;
        auto transport = h.make(policy);
        CHECK(transport.send(request("POST", tokens_url)).status == 201);
        CHECK(transport.attempts() == 5);
        CHECK_FALSE(transport.retried_after_unknown_outcome());
        CHECK(h.sleeps == Sleeps{1, 2, 5, 8});
        CHECK(h.notes == Lines{
                             "aktoken: retrying in 1 s (" + refused + "), attempt 2 of 5",
                             "aktoken: retrying in 2 s (could not resolve host ak.example), attempt 3 of 5",
                             "aktoken: retrying in 5 s (503 Service Unavailable), attempt 4 of 5",
                             "aktoken: retrying in 8 s (429 Too Many Requests), attempt 5 of 5",
                         });
    }

    TEST_CASE("http retry resends set_key after an unknown outcome") {
        Harness h;
        h.fail(Delivery::maybe_sent).answer(504).answer(204);
        auto transport = h.make();
        Request r = request("POST", set_key_url);
        r.body = R"({"key":"k"})";
        CHECK(transport.send(r).status == 204);
        CHECK(transport.attempts() == 3);
        CHECK(transport.retried_after_unknown_outcome());
        REQUIRE(h.sent.size() == 3);
        CHECK(h.sent[2].body == R"({"key":"k"})");
        CHECK(h.sent[2].url == set_key_url);
    }

    TEST_CASE("http retry flags a DELETE retried after an unknown outcome") {
        Harness h;
        auto transport = h.make();
        SUBCASE("network error, then 404") {
            h.fail(Delivery::maybe_sent).answer(404);
            CHECK(transport.send(request("DELETE", token_url)).status == 404);
            CHECK(transport.retried_after_unknown_outcome());
            // Through the interface the api layer holds.
            CHECK(static_cast<const aktoken::http::Transport&>(transport).retried_after_unknown_outcome());
        }
        SUBCASE("504, then 404") {
            h.answer(504).answer(404);
            CHECK(transport.send(request("DELETE", token_url)).status == 404);
            CHECK(transport.retried_after_unknown_outcome());
        }
        SUBCASE("unknown, then refused, then 404") {
            h.fail_plain().fail(Delivery::not_sent, refused).answer(404);
            CHECK(transport.send(request("DELETE", token_url)).status == 404);
            CHECK(transport.retried_after_unknown_outcome());
        }
        SUBCASE("only refusals before the 404: a real 404") {
            h.answer(503).fail(Delivery::not_sent, refused).answer(429).answer(404);
            CHECK(transport.send(request("DELETE", token_url)).status == 404);
            CHECK_FALSE(transport.retried_after_unknown_outcome());
        }
        SUBCASE("the flag belongs to the last send") {
            h.answer(502).answer(204).answer(404);
            CHECK(transport.send(request("DELETE", token_url)).status == 204);
            CHECK(transport.retried_after_unknown_outcome());
            CHECK(transport.send(request("DELETE", token_url)).status == 404);
            CHECK_FALSE(transport.retried_after_unknown_outcome());
            CHECK(transport.attempts() == 1);
        }
        aktoken::testing::FakeTransport plain;
        CHECK_FALSE(static_cast<const aktoken::http::Transport&>(plain).retried_after_unknown_outcome());
    }

    TEST_CASE("http retry works with the real sleeper, clock and jitter and without notes") {
        Harness h;
        h.answer(503).answer(200);
        // The one real sleep of the retry tests, the default sleeper's own: a millisecond at most.
        RetryPolicy policy;
        policy.base_delay_seconds = 0.001;
        RetryingTransport transport(h, policy);
        const auto start = std::chrono::steady_clock::now();
        CHECK(transport.send(request("GET", token_url)).status == 200);
        CHECK(std::chrono::steady_clock::now() - start >= 500us);
        CHECK(transport.attempts() == 2);
        CHECK(transport.policy().base_delay_seconds == 0.001);
    }
}

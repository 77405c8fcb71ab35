// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>

#include "aktoken/http/curl_transport.h"
#include "aktoken/util/error.h"
#include "http/curl_failure.h"

using aktoken::ErrorKind;
using aktoken::http::CurlFailure;
using aktoken::http::describe_curl_failure;
using aktoken::http::display_url;
using aktoken::http::TransportOptions;

namespace {

// CURLcode values (stable ABI numbers); the tests do not include curl.h.
constexpr int unsupported_protocol = 1;
constexpr int url_malformat = 3;
constexpr int couldnt_resolve_host = 6;
constexpr int couldnt_connect = 7;
constexpr int partial_file = 18;
constexpr int write_error = 23;
constexpr int operation_timedout = 28;
constexpr int ssl_connect_error = 35;
constexpr int got_nothing = 52;
constexpr int recv_error = 56;
constexpr int peer_failed_verification = 60;
constexpr int filesize_exceeded = 63;
constexpr int ssl_cacert_badfile = 77;
constexpr int out_of_memory = 27;

CurlFailure failure(int code, std::string url, std::string detail = "detail") {
    CurlFailure f;
    f.code = code;
    f.url = std::move(url);
    f.detail = std::move(detail);
    return f;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("http describe_curl_failure names the host") {
        const TransportOptions options;

        auto e = describe_curl_failure(failure(couldnt_resolve_host, "https://ak.example.invalid/api/v3/"), options);
        CHECK(e.kind() == ErrorKind::network);
        CHECK(std::string(e.what()) == "could not resolve host ak.example.invalid");

        auto refused = failure(couldnt_connect, "https://ak.example.com/api/v3/", "Couldn't connect to server");
        refused.os_errno = 111;
        CHECK(std::string(describe_curl_failure(refused, options).what()) ==
              "cannot connect to ak.example.com:443: Connection refused");
        refused.os_errno = 0;
        CHECK(std::string(describe_curl_failure(refused, options).what()) ==
              "cannot connect to ak.example.com:443: Couldn't connect to server");

        auto slow = failure(operation_timedout, "https://x/api/v3/core/tokens/a/");
        slow.connected = true;
        CHECK(std::string(describe_curl_failure(slow, options).what()) ==
              "request to https://x/api/v3/core/tokens/a/ timed out after 30 s");
        slow.connected = false;
        CHECK(std::string(describe_curl_failure(slow, options).what()) ==
              "cannot connect to x:443: timed out after 10 s");

        auto tls = failure(peer_failed_verification, "https://ak.example.com:8443/",
                           "SSL certificate problem: unable to get local issuer certificate");
        e = describe_curl_failure(tls, options);
        CHECK(e.kind() == ErrorKind::network);
        CHECK(std::string(e.what()) ==
              "TLS certificate of ak.example.com could not be verified: unable to get local issuer "
              "certificate; use --ca-file to trust its CA");
        TransportOptions with_ca;
        with_ca.ca_file = "/etc/ak-ca.pem";
        CHECK(std::string(describe_curl_failure(tls, with_ca).what()) ==
              "TLS certificate of ak.example.com could not be verified with CA file /etc/ak-ca.pem: "
              "unable to get local issuer certificate");

        e = describe_curl_failure(failure(ssl_cacert_badfile, "https://h/", "error setting certificate file: /nope"),
                                  with_ca);
        CHECK(e.kind() == ErrorKind::config);
        CHECK(std::string(e.what()) == "cannot use CA file /etc/ak-ca.pem: error setting certificate file: /nope");

        CHECK(std::string(describe_curl_failure(failure(ssl_connect_error, "https://h:9443/", "OpenSSL SSL_connect: x"),
                                                options)
                              .what()) == "TLS handshake with h:9443 failed: OpenSSL SSL_connect: x");
    }

    TEST_CASE("http describe_curl_failure reports closed connections") {
        const TransportOptions options;
        for (int code : {got_nothing, recv_error, partial_file, 55}) {
            CAPTURE(code);
            auto f = failure(code, "http://127.0.0.1:9000/api/v3/", "Recv failure: Connection reset by peer");
            auto e = describe_curl_failure(f, options);
            CHECK(e.kind() == ErrorKind::network);
            CHECK(std::string(e.what()) == "connection to 127.0.0.1 closed without a response");
            f.got_status = true;
            CHECK(std::string(describe_curl_failure(f, options).what()) ==
                  "connection to 127.0.0.1 closed before the response was complete");
        }
    }

    TEST_CASE("http describe_curl_failure reports an oversized body as a server error") {
        TransportOptions options;
        auto e = describe_curl_failure(failure(filesize_exceeded, "https://h/"), options);
        CHECK(e.kind() == ErrorKind::server);
        CHECK(std::string(e.what()) == "response body exceeds 4 MiB");

        auto f = failure(write_error, "https://h/");
        f.body_over_cap = true;
        CHECK(std::string(describe_curl_failure(f, options).what()) == "response body exceeds 4 MiB");
        f.body_over_cap = false;
        CHECK(describe_curl_failure(f, options).kind() == ErrorKind::network);
    }

    TEST_CASE("http describe_curl_failure names libcurl's header limits as server errors") {
        const TransportOptions options;
        // libcurl 7.88 says only "Out of memory" for one header line beyond 100 KiB.
        auto line = failure(out_of_memory, "https://ak.example.com/api/v3/", "Out of memory");
        line.connected = true;
        line.got_status = true;
        auto e = describe_curl_failure(line, options);
        CHECK(e.kind() == ErrorKind::server);
        CHECK(std::string(e.what()) ==
              "a response header from ak.example.com exceeds 100 KiB (the limit for one header line)");
        line.connected = false;
        e = describe_curl_failure(line, options);
        CHECK(e.kind() == ErrorKind::internal);
        CHECK(std::string(e.what()) == "out of memory");

        auto flood =
            failure(recv_error, "https://ak.example.com/api/v3/", "Too large response headers: 307265 > 307200");
        flood.got_status = true;
        e = describe_curl_failure(flood, options);
        CHECK(e.kind() == ErrorKind::server);
        CHECK(std::string(e.what()) ==
              "response headers from ak.example.com exceed 300 KiB (the limit for all headers)");
    }

    TEST_CASE("http describe_curl_failure names the proxy that refused the connection") {
        const TransportOptions options;
        auto refused =
            failure(couldnt_connect, "https://ak.example.com/api/v3/",
                    "Failed to connect to proxy.example.net port 3128 after 0 ms: Couldn't connect to server");
        refused.os_errno = 111;
        CHECK(std::string(describe_curl_failure(refused, options).what()) ==
              "cannot connect to proxy proxy.example.net:3128 (for ak.example.com): Connection refused");
        refused.detail = "Failed to connect to ::1 port 3128 after 0 ms: Couldn't connect to server";
        CHECK(std::string(describe_curl_failure(refused, options).what()) ==
              "cannot connect to proxy [::1]:3128 (for ak.example.com): Connection refused");
        // The target itself, also as an IPv6 literal, is no proxy.
        refused.detail = "Failed to connect to ak.example.com port 443 after 0 ms: Couldn't connect to server";
        CHECK(std::string(describe_curl_failure(refused, options).what()) ==
              "cannot connect to ak.example.com:443: Connection refused");
        refused.url = "http://[::1]:8000/api/v3/";
        refused.detail = "Failed to connect to ::1 port 8000 after 0 ms: Couldn't connect to server";
        CHECK(std::string(describe_curl_failure(refused, options).what()) ==
              "cannot connect to [::1]:8000: Connection refused");
    }

    TEST_CASE("http describe_curl_failure keeps credentials in URLs out of messages") {
        TransportOptions options;
        options.timeout_seconds = 2.5;
        auto f = failure(operation_timedout, "https://user:pa55@ak.example.com/api/v3/");
        f.connected = true;
        CHECK(std::string(describe_curl_failure(f, options).what()) ==
              "request to https://ak.example.com/api/v3/ timed out after 2.5 s");
        CHECK(display_url("https://user:pa55@h/x") == "https://h/x");
        CHECK(display_url("https://h/x?a=b") == "https://h/x?a=b");
        CHECK(display_url("https://us er:pa55@h/x y") == "https://h/x y");
    }

    TEST_CASE("http describe_curl_failure classifies URL mistakes as usage errors") {
        const TransportOptions options;
        auto e = describe_curl_failure(failure(unsupported_protocol, "ftp://h/x"), options);
        CHECK(e.kind() == ErrorKind::usage);
        CHECK(std::string(e.what()) == "unsupported URL scheme in ftp://h/x: use http or https");
        CHECK(describe_curl_failure(failure(unsupported_protocol, "http://h/x", "Received HTTP/0.9 when not allowed"),
                                    options)
                  .kind() == ErrorKind::network);
        CHECK(describe_curl_failure(failure(url_malformat, "http://"), options).kind() == ErrorKind::usage);
        auto other = describe_curl_failure(failure(999, "https://h.example/x", "something odd"), options);
        CHECK(other.kind() == ErrorKind::network);
        CHECK(std::string(other.what()) == "request to h.example failed: something odd");
    }
}

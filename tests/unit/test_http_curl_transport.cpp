// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "aktoken/http/curl_transport.h"
#include "aktoken/util/error.h"
#include "closed_port.h"

namespace {

using aktoken::Error;
using aktoken::ErrorKind;
using aktoken::http::CurlTransport;
using aktoken::http::GlobalInit;
using aktoken::http::Request;
using aktoken::http::Response;
using aktoken::http::TransportOptions;

// Self-signed for CN=localhost with subjectAltName DNS:localhost, IP:127.0.0.1, valid until 2126.
constexpr const char* test_cert = R"(
-----BEGIN CERTIFICATE-----
MIIDJzCCAg+gAwIBAgIUCVahaM+OXjZXlUeSFGIjtonBWpkwDQYJKoZIhvcNAQEL
BQAwFDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyOTIyNDQyOFoYDzIxMjYx
MTA1MjI0NDI4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwggEiMA0GCSqGSIb3DQEB
AQUAA4IBDwAwggEKAoIBAQCoefE4ZxVTe6XH6e+7RL8iEB+dJOND4wint2yT9SHN
UntUvcmfAuXwAQUxpfWdxeeViHaMsD5OunaCIWrcSS+dmoeyXgugJnLsD3nweTcl
0EC/ZSYemly1HQ66akAxUgHQeMIhMaKCDZ7ou99/YGqaKC6DydatH3DffLXPGk/O
/IPdeNmrdi7ee/6zJfW5nlZqS+YDQESaAoT3XxqtHZHKCadOy6R2H296hphGwwTX
zkPN+nYBT5nCChOrIrglWueuxXOeLwAJqAzHimvJRjp/HtrZueKWnuQVh+bcEaKv
5IxewlzZTt1Hp/dkYJ/cSzUiL2c1XPur1cXib8xaN8UZAgMBAAGjbzBtMB0GA1Ud
DgQWBBRW6mMVhY9MYerRDmNDSTs/MaWlxDAfBgNVHSMEGDAWgBRW6mMVhY9MYerR
DmNDSTs/MaWlxDAPBgNVHRMBAf8EBTADAQH/MBoGA1UdEQQTMBGCCWxvY2FsaG9z
dIcEfwAAATANBgkqhkiG9w0BAQsFAAOCAQEAGc6l9eAMLBlso/tGp5BnTaQp7FCM
YbiRcWXMVS52bnGP6Tm+qq8VK6OLZOO18EPDSo03giDnr/t00PQwAQ0HBcbySDLe
4BKdFtp9VjG3GX7/hmsWtHp6TTkk3ZZK3ND59W5bYi5mO6y3rTqm27sTfstxnCGr
7UL3tBmrmVbFuNlJFII3srlcXJDT1WBHfzWEdWKF8WoiFWE1fJCqAsGjEQEyvVpm
fc8pE0vRf6O3MiIMTCW+hcsh+wDJlUoe/NdjwoxLDOehOnMoWmJyxUthN0OtBqdb
sn95UKSLHRbUwaPOnq4Q8mMsRxRavjCjanxAHynHCIGfAyV2Mc/z9pXDnQ==
-----END CERTIFICATE-----
)";

constexpr const char* test_key = R"(
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCoefE4ZxVTe6XH
6e+7RL8iEB+dJOND4wint2yT9SHNUntUvcmfAuXwAQUxpfWdxeeViHaMsD5OunaC
IWrcSS+dmoeyXgugJnLsD3nweTcl0EC/ZSYemly1HQ66akAxUgHQeMIhMaKCDZ7o
u99/YGqaKC6DydatH3DffLXPGk/O/IPdeNmrdi7ee/6zJfW5nlZqS+YDQESaAoT3
XxqtHZHKCadOy6R2H296hphGwwTXzkPN+nYBT5nCChOrIrglWueuxXOeLwAJqAzH
imvJRjp/HtrZueKWnuQVh+bcEaKv5IxewlzZTt1Hp/dkYJ/cSzUiL2c1XPur1cXi
b8xaN8UZAgMBAAECggEABtjZ4GB0Ie3zCWJtD0/WcsRz/Hd80wv9lI9kVskOJCGX
iJSkBpXgEXaBJwjnKA/cfxvKMaKSDbIPUe+Yv7YrvLyEik+/KjWV0xk36/mJL7y8
fOrX90NvxB6XtCTQUhDSqQ3XWfEB+UYjcLL9/NfGzVgXt9xyoJuYA0U2wGGB39gb
XEVDIYBCwAYNYrghxja1e7iJRZUqCja8+N9/Gl89DX5+KPRzRfP1JDQoQKD7uRZM
aQ3RrOv93UyxZYrDiFbdfbeu/PqQb3kGi24RK8tFdacLPK67tr0O18+VwepfvcnV
o4GXZMBf86hKmNcaR8qDoDn5g1sQ73BfammQQUPOeQKBgQDt90V7+BAMHHss8Sjq
jFo+1sq2dNCOkkmcMdHbClT0xCs0MxEejFHgJuRLKpzqoxS1RI/JVwUDaKToFVbW
usbYVg0D8e5rd/LxCqmBsAFAiA88zdrGI9fF+QGmcoI0+nobnabtvusvB43FnpNn
Md7QAwUJXimFn6rFXdcqO9/RJQKBgQC1PoSLO8ubsKxwm7u8FvgYTcWepyTTjIZ6
wiSI1uSKsNoDeg3VBkdT0QjDWdTaI51MqitoyRRykRZ7YqX00kubL0dKRNQTY2Ja
N12ER3Uzi3X9Ul/FFVQoQ5oLZ8T/QgYCGB3MZZ72q1eijMlpyk4UN/QJ/1IwjngZ
evBSQ6FD5QKBgADG6+0ptDO17BkLeIy7hJfr76GE5CFzDNZ7uymx8PETquhyuj2V
S7clqV0teHGzsp+c57NKm3OVZeR0HWJ6HagbL9OxeIvVSm/LDx6jSn3Bc/tI2MwI
1e2JkJ3QhehSYQ+yBheEphPzPF1G1Uhi+01GlT+glRYgnVgjpE44/9QZAoGBAJtg
1VBoGs2GUM7ZM8C0EE0Fn3273R5fQorLFXcagyNDKiQA5wrRLyTz94dB4/B+x8OJ
v109xYHSUGvGzm9sOdT4Wy2YhBd7BD5DaLCWciuWS7i4fdH/zv4VtmJAu+n5OB1j
f2hTVkwx6Bc6ixFelkFPFq/bayKlgOCXPJ/Jyt7hAoGAcLvfidCZZsvF3GN+XCpF
6HXW+2OhO1GnjAcwfjg1DFeahDc1R7K31MdxufJSYdwEKIX1BkpaxEEnBKuWDZaE
W/f35jqPM/AEXxycwek+vHt1Dm0ftjyU8C6FRuOMSML3eVCqMxWzWSCJp/SwRTUn
G8mIGSkJ6Tkh75fIFvGdIeY=
-----END PRIVATE KEY-----
)";

// What the fake server saw of one request.
struct Seen {
    std::string method;
    std::string path;
    std::string body;
    bool has_body_header = false;  // Content-Length or Transfer-Encoding present
    std::string content_length;
    std::string content_type;
    std::string accept;
    std::string user_agent;
    std::string authorization;
    std::string expect;
    int remote_port = 0;
};

// A cpp-httplib server on 127.0.0.1 with a fixed set of routes, recording every request.
class FakeServer {
public:
    explicit FakeServer(std::unique_ptr<httplib::Server> server = std::make_unique<httplib::Server>())
        : server_(std::move(server)) {
        // Short, so that stop() does not wait long for a worker idling in keep-alive.
        server_->set_keep_alive_timeout(1);
        auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
        server_->Get(".*", handler);
        server_->Post(".*", handler);
        server_->Put(".*", handler);
        server_->Patch(".*", handler);
        server_->Delete(".*", handler);
        port_ = server_->bind_to_any_port("127.0.0.1");
        REQUIRE(port_ > 0);
        thread_ = std::thread([this] { server_->listen_after_bind(); });
        // stop() before the listen loop runs would hang forever.
        while (!server_->is_running()) {
            std::this_thread::yield();
        }
    }

    ~FakeServer() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            released_ = true;
        }
        released_changed_.notify_all();
        server_->stop();
        thread_.join();
    }

    FakeServer(const FakeServer&) = delete;
    FakeServer& operator=(const FakeServer&) = delete;

    int port() const { return port_; }

    std::string url(const std::string& path, const std::string& scheme = "http") const {
        return scheme + "://127.0.0.1:" + std::to_string(port_) + path;
    }

    std::vector<Seen> seen() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return seen_;
    }

private:
    void handle(const httplib::Request& req, httplib::Response& res) {
        Seen s;
        s.method = req.method;
        s.path = req.path;
        s.body = req.body;
        s.has_body_header = req.has_header("Content-Length") || req.has_header("Transfer-Encoding");
        s.content_length = req.get_header_value("Content-Length");
        s.content_type = req.get_header_value("Content-Type");
        s.accept = req.get_header_value("Accept");
        s.user_agent = req.get_header_value("User-Agent");
        s.authorization = req.get_header_value("Authorization");
        s.expect = req.get_header_value("Expect");
        s.remote_port = req.remote_port;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            seen_.push_back(s);
        }

        const std::string& path = req.path;
        if (path.rfind("/status/", 0) == 0) {
            res.status = std::stoi(path.substr(8));
            res.set_content(R"({"detail":"nope"})", "application/json");
        } else if (path == "/redirect") {
            res.status = 302;
            res.set_header("Location", url("/elsewhere"));
            res.set_content("moved", "text/plain");
        } else if (path == "/headers") {
            res.set_header("X-Mixed-Case", "Yes");
            res.set_header("RETRY-AFTER", "3");
            res.set_content("{}", "application/json");
        } else if (path.rfind("/big/", 0) == 0) {
            // Octet-stream so that the server does not compress it and Content-Length stays true.
            res.set_content(std::string(std::stoul(path.substr(5)), 'x'), "application/octet-stream");
        } else if (path.rfind("/chunked/", 0) == 0) {
            auto size = std::stoul(path.substr(9));
            res.set_chunked_content_provider("application/octet-stream", [size](std::size_t, httplib::DataSink& sink) {
                const std::string piece(1000, 'y');
                for (std::size_t sent = 0; sent < size; sent += piece.size()) {
                    if (!sink.write(piece.data(), std::min(piece.size(), size - sent))) {
                        return false;
                    }
                }
                sink.done();
                return true;
            });
        } else if (path == "/long-header") {
            // One line just past libcurl's 100 KiB limit for a header line.
            res.set_header("X-Long", std::string(std::size_t{100} << 10, 'h'));
            res.set_content("{}", "application/json");
        } else if (path == "/many-headers") {
            // Lines of a few hundred bytes, together past libcurl's 300 KiB limit.
            for (int i = 0; i < 1000; ++i) {
                res.set_header("X-Flood-" + std::to_string(i), std::string(400, 'f'));
            }
            res.set_content("{}", "application/json");
        } else if (path == "/gzip") {
            res.set_header("Content-Encoding", "gzip");
            // The start of a gzip stream; a JSON parser would see bracket-like bytes in it.
            res.set_content(std::string("\x1f\x8b\x08\x00[[[[{{{{", 12), "application/json");
        } else if (path == "/slow") {
            // Answers only when the server is being shut down: long after any client timeout.
            std::unique_lock<std::mutex> lock(mutex_);
            released_changed_.wait(lock, [this] { return released_; });
            res.set_content("{}", "application/json");
        } else if (path == "/token") {
            res.set_header("Set-Cookie", "authentik_session=cookie-SECRET; Path=/");
            res.set_content(R"({"key": "response-SECRET", "identifier": "x"})", "application/json");
        } else {
            res.set_content(R"({"ok":true})", "application/json");
        }
    }

    std::unique_ptr<httplib::Server> server_;
    int port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Seen> seen_;
    std::condition_variable released_changed_;
    bool released_ = false;
};

// A raw TCP server on 127.0.0.1 that reads one request and closes the connection unanswered.
class HangUpServer {
public:
    HangUpServer() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        REQUIRE(fd_ >= 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        REQUIRE(::listen(fd_, 4) == 0);
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        port_ = ntohs(addr.sin_port);
        thread_ = std::thread([this] { serve(); });
    }

    ~HangUpServer() {
        thread_.join();
        ::close(fd_);
    }

    HangUpServer(const HangUpServer&) = delete;
    HangUpServer& operator=(const HangUpServer&) = delete;

    int port() const { return port_; }

private:
    void serve() {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, 5000) != 1) {
            return;
        }
        int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) {
            return;
        }
        std::string received;
        char buffer[4096];
        pollfd c{client, POLLIN, 0};
        while (received.find("\r\n\r\n") == std::string::npos && ::poll(&c, 1, 5000) == 1) {
            ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
            if (n <= 0) {
                break;
            }
            received.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(client);
    }

    int fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

// A file in the temporary directory, removed again at the end of the test.
class TempFile {
public:
    TempFile(const std::string& name, const std::string& contents)
        : path_(std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid()))) {
        std::ofstream(path_) << contents;
    }
    ~TempFile() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

TransportOptions test_options() {
    TransportOptions options;
    options.user_agent = "aktoken-test";
    options.timeout_seconds = 10;
    options.connect_timeout_seconds = 5;
    return options;
}

Request make_request(std::string method, std::string url, std::string body = {}) {
    Request request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.body = std::move(body);
    return request;
}

// Whether a traced status line is `<prefix><digits> ms)`.
bool is_status_line(const std::string& line, const std::string& prefix) {
    if (line.rfind(prefix, 0) != 0 || line.size() < prefix.size() + 5 || line.substr(line.size() - 4) != " ms)") {
        return false;
    }
    const std::string digits = line.substr(prefix.size(), line.size() - prefix.size() - 4);
    return digits.find_first_not_of("0123456789") == std::string::npos;
}

// Runs send and returns the aktoken::Error it throws; fails the test if it throws none.
Error send_error(CurlTransport& transport, const Request& request) {
    try {
        transport.send(request);
    } catch (const Error& e) {
        return e;
    }
    FAIL("send did not throw");
    return Error(ErrorKind::internal, "unreachable");
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("http curl transport sends each method with its body") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());

        struct Case {
            const char* method;
            const char* body;
        };
        const Case cases[] = {
            {"GET", ""},           {"DELETE", ""}, {"POST", R"({"a":1})"}, {"PATCH", R"({"b":2})"},
            {"PUT", R"({"c":3})"}, {"POST", ""},   {"PATCH", ""},
        };
        for (const auto& c : cases) {
            const Response response = transport.send(make_request(c.method, server.url("/echo"), c.body));
            CHECK(response.status == 200);
            CHECK(response.body == R"({"ok":true})");
        }

        const auto seen = server.seen();
        REQUIRE(seen.size() == std::size(cases));
        for (std::size_t i = 0; i < seen.size(); ++i) {
            CAPTURE(i);
            CHECK(seen[i].method == cases[i].method);
            CHECK(seen[i].path == "/echo");
            CHECK(seen[i].body == cases[i].body);
            CHECK(seen[i].accept == "application/json");
            CHECK(seen[i].expect.empty());
            CHECK(seen[i].user_agent.rfind("aktoken-test libcurl/", 0) == 0);
            const bool body_method = std::string(cases[i].method) == "POST" ||
                                     std::string(cases[i].method) == "PATCH" || std::string(cases[i].method) == "PUT";
            if (body_method) {
                // Sent even when empty: Content-Length: 0.
                CHECK(seen[i].content_length == std::to_string(std::string(cases[i].body).size()));
                CHECK(seen[i].content_type == "application/json");
            } else {
                CHECK_FALSE(seen[i].has_body_header);
                CHECK(seen[i].content_type.empty());
            }
        }
    }

    TEST_CASE("http curl transport does not carry a method or body into the next request") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());

        transport.send(make_request("DELETE", server.url("/echo")));
        transport.send(make_request("GET", server.url("/echo")));
        transport.send(make_request("PATCH", server.url("/echo"), R"({"x":1})"));
        transport.send(make_request("GET", server.url("/echo")));
        transport.send(make_request("POST", server.url("/echo"), R"({"y":2})"));
        transport.send(make_request("DELETE", server.url("/echo")));

        const auto seen = server.seen();
        REQUIRE(seen.size() == 6);
        CHECK(seen[0].method == "DELETE");
        CHECK(seen[1].method == "GET");
        CHECK(seen[2].method == "PATCH");
        CHECK(seen[2].body == R"({"x":1})");
        CHECK(seen[3].method == "GET");
        CHECK(seen[3].body.empty());
        CHECK_FALSE(seen[3].has_body_header);
        CHECK(seen[3].content_type.empty());
        CHECK(seen[4].method == "POST");
        CHECK(seen[5].method == "DELETE");
        CHECK(seen[5].body.empty());
        CHECK_FALSE(seen[5].has_body_header);
    }

    TEST_CASE("http curl transport returns error statuses and redirects as responses") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());

        for (long status : {400L, 401L, 403L, 404L, 409L, 500L, 503L}) {
            CAPTURE(status);
            const Response response =
                transport.send(make_request("GET", server.url("/status/" + std::to_string(status))));
            CHECK(response.status == status);
            CHECK(response.body == R"({"detail":"nope"})");
        }

        const Response redirect = transport.send(make_request("GET", server.url("/redirect")));
        CHECK(redirect.status == 302);
        CHECK(redirect.header("location") == server.url("/elsewhere"));
        CHECK(redirect.body == "moved");
        const auto seen = server.seen();
        REQUIRE_FALSE(seen.empty());
        CHECK(seen.back().path == "/redirect");
    }

    TEST_CASE("http curl transport lower-cases response header names") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());

        const Response response = transport.send(make_request("GET", server.url("/headers")));
        CHECK(response.status == 200);
        CHECK(response.header("x-mixed-case") == "Yes");
        CHECK(response.header("retry-after") == "3");
        CHECK(response.header("content-type") == "application/json");
        for (const auto& header : response.headers) {
            CAPTURE(header.first);
            CHECK(header.first.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
        }
        CHECK(response.seconds > 0);
    }

    TEST_CASE("http curl transport reuses one connection") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());

        transport.send(make_request("GET", server.url("/echo")));
        transport.send(make_request("PATCH", server.url("/echo"), "{}"));
        transport.send(make_request("DELETE", server.url("/status/404")));
        CHECK(transport.connections_opened() == 1);

        std::set<int> ports;
        for (const auto& s : server.seen()) {
            ports.insert(s.remote_port);
        }
        CHECK(ports.size() == 1);
    }

    TEST_CASE("http curl transport caps the response body") {
        GlobalInit init;
        FakeServer server;
        TransportOptions options = test_options();
        options.max_body_bytes = 4096;
        CurlTransport transport(options);

        CHECK(transport.send(make_request("GET", server.url("/big/4096"))).body.size() == 4096);
        CHECK(transport.send(make_request("GET", server.url("/chunked/4096"))).body.size() == 4096);

        SUBCASE("announced by Content-Length") {
            const Error e = send_error(transport, make_request("GET", server.url("/big/4097")));
            CHECK(e.kind() == ErrorKind::server);
            CHECK(std::string(e.what()) == "response body exceeds 4 KiB");
        }
        SUBCASE("chunked, without a length") {
            const Error e = send_error(transport, make_request("GET", server.url("/chunked/100000")));
            CHECK(e.kind() == ErrorKind::server);
            CHECK(std::string(e.what()) == "response body exceeds 4 KiB");
        }
        SUBCASE("a request's own, smaller cap") {
            Request request = make_request("GET", server.url("/big/2049"));
            request.max_answer_bytes = 2048;
            CHECK(std::string(send_error(transport, request).what()) == "response body exceeds 2 KiB");
            request = make_request("GET", server.url("/chunked/2049"));
            request.max_answer_bytes = 2048;
            CHECK(std::string(send_error(transport, request).what()) == "response body exceeds 2 KiB");
            request = make_request("GET", server.url("/big/2048"));
            request.max_answer_bytes = 2048;
            CHECK(transport.send(request).body.size() == 2048);
            // A request cannot raise the transport's cap.
            request = make_request("GET", server.url("/big/4097"));
            request.max_answer_bytes = 8192;
            CHECK(std::string(send_error(transport, request).what()) == "response body exceeds 4 KiB");
        }
    }

    TEST_CASE("http curl transport reports libcurl's header limits as server errors") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());

        Error e = send_error(transport, make_request("GET", server.url("/long-header")));
        CHECK(e.kind() == ErrorKind::server);
        CHECK(std::string(e.what()) ==
              "a response header from 127.0.0.1 exceeds 100 KiB (the limit for one header line)");

        e = send_error(transport, make_request("GET", server.url("/many-headers")));
        CHECK(e.kind() == ErrorKind::server);
        CHECK(std::string(e.what()) == "response headers from 127.0.0.1 exceed 300 KiB (the limit for all headers)");
        CHECK(server.seen().size() == 2);
    }

    TEST_CASE("http curl transport refuses a compressed body it did not ask for") {
        GlobalInit init;
        FakeServer server;
        CurlTransport transport(test_options());
        const Error e = send_error(transport, make_request("GET", server.url("/gzip")));
        CHECK(e.kind() == ErrorKind::server);
        CHECK(std::string(e.what()) ==
              "the answer from 127.0.0.1 is compressed (\"gzip\") although aktoken did not ask for that");
    }

    TEST_CASE("http curl transport reports a refused connection") {
        GlobalInit init;
        CurlTransport transport(test_options());
        const test::ClosedPort closed;
        const Error e = send_error(transport, make_request("GET", closed.url("/api/v3/")));
        CHECK(e.kind() == ErrorKind::network);
        CHECK(std::string(e.what()) ==
              "cannot connect to 127.0.0.1:" + std::to_string(closed.port()) + ": Connection refused");
        CHECK(transport.connections_opened() == 0);
    }

    TEST_CASE("http curl transport times out") {
        GlobalInit init;
        FakeServer server;
        TransportOptions options = test_options();
        options.timeout_seconds = 0.2;
        CurlTransport transport(options);

        const auto start = std::chrono::steady_clock::now();
        const Error e = send_error(transport, make_request("GET", server.url("/slow")));
        const auto elapsed = std::chrono::steady_clock::now() - start;
        CHECK(e.kind() == ErrorKind::network);
        CHECK(std::string(e.what()) == "request to " + server.url("/slow") + " timed out after 0.2 s");
        // Neither before the timeout nor long after it (the server never answers by itself).
        CHECK(elapsed >= std::chrono::milliseconds(200));
        CHECK(elapsed < std::chrono::milliseconds(1400));
    }

    TEST_CASE("http curl transport reports a connection closed without a response") {
        GlobalInit init;
        HangUpServer server;
        CurlTransport transport(test_options());
        const Error e = send_error(
            transport, make_request("GET", "http://127.0.0.1:" + std::to_string(server.port()) + "/api/v3/"));
        CHECK(e.kind() == ErrorKind::network);
        CHECK(std::string(e.what()) == "connection to 127.0.0.1 closed without a response");
    }

    TEST_CASE("http curl transport verifies TLS certificates") {
        GlobalInit init;
        TempFile cert("aktoken-test-cert.pem", test_cert);
        TempFile key("aktoken-test-key.pem", test_key);
        FakeServer server(std::make_unique<httplib::SSLServer>(cert.path().c_str(), key.path().c_str()));
        const Request request = make_request("GET", server.url("/echo", "https"));

        SUBCASE("an unknown CA fails") {
            CurlTransport transport(test_options());
            const Error e = send_error(transport, request);
            CHECK(e.kind() == ErrorKind::network);
            CHECK(std::string(e.what()) ==
                  "TLS certificate of 127.0.0.1 could not be verified: self-signed certificate; "
                  "use --ca-file to trust its CA");
        }
        SUBCASE("the CA file is trusted") {
            TransportOptions options = test_options();
            options.ca_file = cert.path();
            CurlTransport transport(options);
            CHECK(transport.send(request).status == 200);
        }
        SUBCASE("insecure skips verification") {
            TransportOptions options = test_options();
            options.insecure = true;
            CurlTransport transport(options);
            CHECK(transport.send(request).status == 200);
        }
        SUBCASE("a missing CA file is a configuration error") {
            TransportOptions options = test_options();
            options.ca_file = cert.path() + ".missing";
            CurlTransport transport(options);
            const Error e = send_error(transport, request);
            CHECK(e.kind() == ErrorKind::config);
            CHECK(std::string(e.what()).rfind("cannot use CA file " + cert.path() + ".missing: ", 0) == 0);
        }
    }

    TEST_CASE("http curl transport refuses other schemes and header injection") {
        GlobalInit init;
        CurlTransport transport(test_options());
        const Error scheme = send_error(transport, make_request("GET", "ftp://127.0.0.1:1/x"));
        CHECK(scheme.kind() == ErrorKind::usage);

        Request request = make_request("GET", "http://127.0.0.1:1/x");
        request.headers.emplace_back("Authorization", "Bearer tok\r\nX-Evil: 1");
        const Error injected = send_error(transport, request);
        CHECK(injected.kind() == ErrorKind::usage);
        CHECK(std::string(injected.what()) == "the value of the Authorization header contains a line break");
    }

    TEST_CASE("http curl transport traces requests with secrets redacted") {
        GlobalInit init;
        FakeServer server;
        std::vector<std::string> lines;
        TransportOptions options = test_options();
        options.trace = [&lines](std::string_view line) { lines.emplace_back(line); };
        CurlTransport transport(options);

        Request request =
            make_request("PATCH", server.url("/token"), R"({"key": "request-SECRET", "description": "d"})");
        request.headers.emplace_back("Authorization", "Bearer token-SECRET");
        const Response response = transport.send(request);
        REQUIRE(response.status == 200);
        CHECK(response.body.find("response-SECRET") != std::string::npos);
        CHECK(server.seen().at(0).authorization == "Bearer token-SECRET");

        std::vector<std::string> info;
        std::vector<std::string> http;
        for (const auto& line : lines) {
            CAPTURE(line);
            CHECK(line.find("SECRET") == std::string::npos);
            (line.rfind("* ", 0) == 0 ? info : http).push_back(line);
        }
        REQUIRE(http.size() >= 9);
        CHECK(http[0] == "> PATCH " + server.url("/token"));
        CHECK(http[1].rfind("> User-Agent: aktoken-test libcurl/", 0) == 0);
        CHECK(http[2] == "> Accept: application/json");
        CHECK(http[3] == "> Content-Type: application/json");
        CHECK(http[4] == "> Authorization: Bearer <redacted>");
        CHECK(http[5] == R"(> {"key": "<redacted>", "description": "d"})");
        CHECK(is_status_line(http[6], "< HTTP/1.1 200 OK ("));
        const std::vector<std::string> response_headers(http.begin() + 7, http.end() - 1);
        CHECK(std::count(response_headers.begin(), response_headers.end(), "< content-type: application/json") == 1);
        CHECK(std::count(response_headers.begin(), response_headers.end(), "< set-cookie: <redacted>") == 1);
        CHECK(http.back() == R"(< {"key": "<redacted>", "identifier": "x"})");
        REQUIRE_FALSE(info.empty());
        CHECK(info.front().rfind("* ", 0) == 0);
        CHECK(std::count_if(info.begin(), info.end(),
                            [](const std::string& l) { return l.rfind("* Connected to 127.0.0.1", 0) == 0; }) == 1);

        lines.clear();
        transport.send(make_request("GET", server.url("/echo")));
        CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
                  return l.rfind("* Re-using existing connection", 0) == 0;
              }) == 1);
        CHECK(std::count(lines.begin(), lines.end(), "> GET " + server.url("/echo")) == 1);
        CHECK(std::count(lines.begin(), lines.end(), "> Content-Type: application/json") == 0);
        CHECK(std::count(lines.begin(), lines.end(), R"(< {"ok":true})") == 1);
    }
}

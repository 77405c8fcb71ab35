// SPDX-License-Identifier: MIT
#include "server.h"

#include <dirent.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <thread>

#include "routes.h"

namespace sandbox {
namespace {

// The connection the current worker thread serves: httplib runs one connection per task.
thread_local std::int64_t t_counted_epoch = -1;

// Counts accepted connections exactly: httplib enqueues one task per accepted socket.
class CountingPool : public httplib::ThreadPool {
public:
    CountingPool(std::size_t threads, SandboxState& state) : httplib::ThreadPool(threads), state_(state) {}

    void enqueue(std::function<void()> fn) override {
        ++state_.connections;
        httplib::ThreadPool::enqueue([fn = std::move(fn)] {
            t_counted_epoch = -1;
            fn();
        });
    }

private:
    SandboxState& state_;
};

int socket_port(const sockaddr_storage& addr) {
    if (addr.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
    }
    if (addr.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
    }
    return -1;
}

// httplib 0.11.4 does not expose the socket to handlers, so find it by its two ports and shut
// it down: the client then sees the connection end without any response.
void drop_connection(const httplib::Request& req) {
    DIR* dir = opendir("/proc/self/fd");
    if (dir == nullptr) {
        return;
    }
    while (const dirent* entry = readdir(dir)) {
        const int fd = std::atoi(entry->d_name);
        if (fd <= 2 || fd == dirfd(dir)) {
            continue;
        }
        sockaddr_storage local{};
        sockaddr_storage peer{};
        socklen_t local_len = sizeof(local);
        socklen_t peer_len = sizeof(peer);
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
            getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
            continue;
        }
        if (socket_port(local) == req.local_port && socket_port(peer) == req.remote_port) {
            // Linger 0: the close httplib does next resets the connection instead of lingering.
            const linger no_linger{1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &no_linger, sizeof(no_linger));
            shutdown(fd, SHUT_RDWR);
            break;
        }
    }
    closedir(dir);
}

std::optional<std::string> header_or_null(const httplib::Request& req, const char* name) {
    if (!req.has_header(name)) {
        return std::nullopt;
    }
    return req.get_header_value(name);
}

RecordedRequest record_of(const httplib::Request& req) {
    RecordedRequest r;
    r.method = req.method;
    const auto question = req.target.find('?');
    r.path = req.target.substr(0, question);
    r.query = question == std::string::npos ? "" : req.target.substr(question + 1);
    r.body = req.body;
    r.content_type = header_or_null(req, "Content-Type");
    if (const auto auth = header_or_null(req, "Authorization")) {
        // Only the scheme word: the credentials must never reach the log.
        const auto start = auth->find_first_not_of(' ');
        r.authorization_scheme = start == std::string::npos ? "" : auth->substr(start, auth->find(' ', start) - start);
    }
    return r;
}

void sleep_ms(std::int64_t ms) {
    if (ms > 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
}

void serve_api(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    ++state.requests;
    const std::int64_t epoch = state.epoch.load();
    if (t_counted_epoch != epoch) {
        t_counted_epoch = epoch;
        ++state.api_connections;
    }
    RecordedRequest record = record_of(req);
    const auto fault = state.faults.take(record.method, record.path);
    if (fault) {
        record.fault = fault_mode_name(fault->mode);
    }
    // apply-then-delay records its request once applied: a test that sees it in the log may
    // rely on the write, and kill the client while the answer is held back.
    std::optional<RecordedRequest> held_record;
    if (fault && fault->mode == FaultMode::apply_then_delay) {
        held_record = std::move(record);
    } else {
        state.log.record(std::move(record));
    }
    sleep_ms(state.options.latency_ms);
    if (!fault) {
        handle_api(state, req, res);
        return;
    }
    switch (fault->mode) {
        case FaultMode::status_503:
            res.set_header("Retry-After", std::to_string(fault->arg.value_or(5)));
            send_json(res, 503, R"({"error": "authentik starting"})");
            return;
        case FaultMode::status_429:
            res.set_header("Retry-After", std::to_string(fault->arg.value_or(5)));
            send_json(res, 429,
                      fmt::format(R"({{"detail":"Request was throttled. Expected available in {} seconds."}})",
                                  fault->arg.value_or(5)));
            return;
        case FaultMode::status_500:
            res.status = 500;
            res.set_content("Internal Server Error", "text/plain");
            return;
        case FaultMode::status_502:
            res.status = 502;
            res.set_content(
                "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
                "Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                "text/html");
            return;
        case FaultMode::drop:
            drop_connection(req);
            return;
        case FaultMode::delay:
            sleep_ms(fault->arg.value_or(1000));
            handle_api(state, req, res);
            return;
        case FaultMode::truncate:
            handle_api(state, req, res);
            res.body.resize(res.body.size() / 2);
            return;
        case FaultMode::apply_then_drop:
            handle_api(state, req, res);
            drop_connection(req);
            return;
        case FaultMode::apply_then_delay:
            // handle_api has released the store when it returns: other connections are served
            // while this worker thread holds the answer back.
            handle_api(state, req, res);
            state.log.record(std::move(*held_record));
            sleep_ms(fault->arg.value_or(1000));
            return;
    }
}

void dispatch(SandboxState& state, const httplib::Request& req, httplib::Response& res) {
    if (req.path.rfind("/_sandbox/", 0) == 0) {
        handle_control(state, req, res);
    } else {
        serve_api(state, req, res);
    }
}

}  // namespace

SandboxState::SandboxState(ServerOptions opts) : options(std::move(opts)) {
    store.load(options.seed);
    clock.freeze(options.now);
    housekept_until = clock.now();
    for (const auto& fault : options.faults) {
        faults.add(fault);
    }
}

void SandboxState::reset() {
    {
        std::lock_guard lock(store_mutex);
        store.load(options.seed);
        housekept_until = clock.now();
    }
    log.clear();
    faults.clear();
    requests = 0;
    connections = 0;
    api_connections = 0;
    ++epoch;
}

void SandboxState::housekeep_until_now() {
    const Micros now = clock.now();
    if (options.housekeeping && now > housekept_until) {
        store.scheduled_housekeeping(housekept_until, now, options.default_duration);
    }
    // A clock moved back runs the instants it crosses again on its way forward, as a server
    // whose clock was set back would.
    housekept_until = now;
}

int run_server(ServerOptions options) {
    // Signals go to one waiting thread, so no handler has to be async-signal-safe.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    SandboxState state(std::move(options));
    if (!state.options.request_log.empty() && !state.log.open_file(state.options.request_log)) {
        std::cerr << "aktoken-sandbox: cannot open request log " << state.options.request_log << '\n';
        return 1;
    }

    httplib::Server server;
    const auto threads = static_cast<std::size_t>(state.options.threads);
    server.new_task_queue = [&state, threads] { return new CountingPool(threads, state); };
    server.set_keep_alive_max_count(100000);
    server.set_keep_alive_timeout(30);
    server.set_read_timeout(30);
    server.set_write_timeout(30);
    server.set_tcp_nodelay(true);
    server.set_payload_max_length(std::size_t{256} * 1024 * 1024);
    // Remembers the listening socket: see the listen() below.
    int listening_socket = -1;
    server.set_socket_options([&listening_socket](socket_t sock) {
        httplib::default_socket_options(sock);
        listening_socket = sock;
    });
    const auto handler = [&state](const httplib::Request& req, httplib::Response& res) { dispatch(state, req, res); };
    server.Get(".*", handler);
    server.Post(".*", handler);
    server.Put(".*", handler);
    server.Patch(".*", handler);
    server.Delete(".*", handler);
    server.Options(".*", handler);
    // httplib answers 400 itself to a POST/PUT/PATCH without Content-Length (curl -X POST does
    // that); such a request has no body, so serve it before httplib tries to read one.
    server.set_pre_routing_handler([&state](const httplib::Request& req, httplib::Response& res) {
        const bool wants_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
        if (wants_body && !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
            dispatch(state, req, res);
            return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, const std::exception_ptr& ep) {
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            std::cerr << "aktoken-sandbox: internal error: " << e.what() << '\n';
        } catch (...) {
            std::cerr << "aktoken-sandbox: internal error\n";
        }
        res.status = 500;
        res.set_content("Internal Server Error", "text/plain");
    });

    int port = state.options.port;
    if (port == 0) {
        port = server.bind_to_any_port(state.options.host);
    } else if (!server.bind_to_port(state.options.host, port)) {
        port = -1;
    }
    if (port <= 0) {
        std::cerr << "aktoken-sandbox: cannot listen on " << state.options.host << ':' << state.options.port << '\n';
        return 1;
    }
    // httplib 0.11 listens with a backlog of 5: a client that opens several connections at once
    // (aktoken list --parallel 8) then has SYNs dropped and waits a second to send them again. An
    // authentik behind gunicorn and a proxy has a deep backlog; listening again only raises it.
    if (listening_socket >= 0) {
        ::listen(listening_socket, SOMAXCONN);
    }
    const std::string host =
        state.options.host.find(':') != std::string::npos ? "[" + state.options.host + "]" : state.options.host;
    std::cout << "aktoken-sandbox listening on http://" << host << ':' << port << std::endl;

    std::thread signal_waiter([&server, signals] {
        int received = 0;
        sigwait(&signals, &received);
        // stop() before the listen loop runs would leave it hanging (httplib 0.11.4).
        while (!server.is_running()) {
            std::this_thread::yield();
        }
        server.stop();
    });
    signal_waiter.detach();
    const bool ok = server.listen_after_bind();
    return ok ? 0 : 1;
}

}  // namespace sandbox

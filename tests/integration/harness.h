// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// Runs the real aktoken binary and a real aktoken-sandbox process for integration tests.
namespace harness {

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

using Env = std::map<std::string, std::string>;

// Runs a program with exactly `env` (plus PATH), feeding `input` on stdin; captures both streams.
RunResult run_program(const std::string& program, const std::vector<std::string>& args, const Env& env,
                      const std::string& input = {}, int timeout_seconds = 60);

// Runs a program on a pseudo-terminal (stdin, stdout and stderr all the terminal) of `columns`
// columns, typing `input`; the result's `out` holds everything the terminal showed (with \r\n
// line ends).
RunResult run_on_terminal(const std::string& program, const std::vector<std::string>& args, const Env& env,
                          const std::string& input, int columns = 120);

// Runs a program on a pseudo-terminal, waits until the terminal shows `prompt`, calls
// `at_prompt` (the program waiting for an answer meanwhile), then types `answer`; the result's
// `out` holds everything the terminal showed, the typed answer's echo included.
RunResult answer_on_terminal(const std::string& program, const std::vector<std::string>& args, const Env& env,
                             const std::string& prompt, const std::function<void()>& at_prompt,
                             const std::string& answer);

// A program running in the background (output discarded), killed when destroyed.
class Background {
public:
    Background(const std::string& program, const std::vector<std::string>& args, const Env& env);
    ~Background();
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    // Sends a signal if the program is still running.
    void kill(int signal_number);
    // Waits for the end and returns the exit status (128 + signal when killed).
    int wait();
    // Whether the program has ended (without waiting).
    bool finished();

private:
    int pid_ = -1;
    int status_ = -1;
};

// Polls `condition` every 10 ms for up to `seconds`; returns whether it became true.
bool eventually(const std::function<bool()>& condition, double seconds = 20);

// A scratch directory removed at the end of the test.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    // Writes a file below the directory with the given mode and returns its path.
    std::string write(const std::string& name, const std::string& content, unsigned mode = 0600) const;

private:
    std::string path_;
};

// One request as the sandbox recorded it.
struct Recorded {
    std::string method;
    std::string path;
    std::string query;
    std::string body;
    std::string fault;  // the fault mode the sandbox applied to it, or ""
};

// The sandbox's counters since start or reset (GET /_sandbox/stats): API requests, accepted
// connections (control calls included, reading the stats too), connections that carried an API
// request.
struct Stats {
    int requests = 0;
    int connections = 0;
    int api_connections = 0;
};

// One answer of the sandbox's API as it came over the wire.
struct HttpAnswer {
    int status = 0;
    std::string content_type;
    std::string body;
};

// An aktoken-sandbox process on 127.0.0.1 with a port the OS picked. On the real clock (no
// --now among the arguments) it runs with --no-housekeeping, so that a 5-minute boundary passing
// during a test changes nothing. It plays the authentik release AKTOKEN_TEST_AUTHENTIK_VERSION
// names, if set, unless the arguments choose one.
class Sandbox {
public:
    explicit Sandbox(const std::vector<std::string>& extra_args = {});
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    // http://127.0.0.1:PORT
    const std::string& url() const { return url_; }
    int port() const { return port_; }
    // Stops the sandbox at once (SIGKILL): its port then refuses connections, as a stopped
    // server's does.
    void stop();
    std::vector<Recorded> requests() const;
    void clear_requests() const;
    Stats stats() const;
    // Back to the seed, with no request recorded, no fault queued and the counters at 0 (POST
    // /_sandbox/reset); the clock stays as it is. A request still being served (a delay fault)
    // is not waited for and may change the store afterwards.
    void reset() const;
    // Makes the next `count` API requests fail in `mode` (503, 500, drop, delay, truncate, ...).
    void fault(const std::string& mode, int count, int arg = 0) const;
    // Makes the next `count` API requests with this method and this path (relative to /api/v3,
    // e.g. "/core/tokens/ci/", no query) fail in `mode`; other requests pass it by. `arg` is sent
    // as given: apply-then-delay holds the answer `arg` ms, so give it the time the test needs.
    void fault_on(const std::string& method, const std::string& path, const std::string& mode, int count = 1,
                  int arg = 0) const;
    // Removes every queued fault.
    void clear_faults() const;
    // The key the server holds for a token, if the token exists.
    std::optional<std::string> key_of(const std::string& identifier) const;
    // The raw JSON of a control endpoint (GET /_sandbox/<what>).
    std::string control_get(const std::string& what) const;
    std::string control_post(const std::string& what, const std::string& body) const;
    // Freezes the clock at `now` (RFC 3339), or moves it there (POST /_sandbox/clock).
    void set_clock(const std::string& now) const;
    // One API request: METHOD to /api/v3 + `path`, with this Authorization header (none when
    // empty) and, when `body` is not empty, a JSON body.
    HttpAnswer api(const std::string& method, const std::string& path, const std::string& authorization,
                   const std::string& body = {}) const;

private:
    int pid_ = -1;
    int port_ = 0;
    std::string url_;
};

// Each recorded API request as "METHOD PATH[?QUERY]", with " (MODE)" when the sandbox faulted it.
std::vector<std::string> request_lines(const Sandbox& sandbox);

// The environment aktoken runs with in tests: a fresh HOME, the sandbox's URL, the given token.
Env aktoken_env(const Sandbox& sandbox, const std::string& token, const TempDir& home);

// Makes aktoken's sleeps, the waits before its retries, return at once, and records how long each
// one was meant to be (tests/integration/skip_sleeps.cpp, preloaded into aktoken). For tests whose
// point is a retry: they check the waits instead of waiting them out. libcurl's own waits, such
// as --timeout, still take their time.
class SkippedSleeps {
public:
    // The record is a file in `dir`.
    explicit SkippedSleeps(const TempDir& dir);
    // `env` plus what preloads the library into aktoken.
    Env apply(Env env) const;
    // The sleeps recorded since the last call, in seconds, in order.
    std::vector<double> take() const;

private:
    std::string record_;
};

// `env` plus what makes aktoken's clock read `epoch_seconds` (tests/integration/fake_clock.cpp,
// preloaded), for tests that compare its predictions with what a frozen sandbox stores.
Env frozen_clock(Env env, long long epoch_seconds);

// Runs aktoken with args in env.
RunResult aktoken(const std::vector<std::string>& args, const Env& env, const std::string& input = {});

// `aktoken: error: MESSAGE` and a newline, as aktoken prints errors.
std::string error_line(const std::string& message);

// Checks a run that failed: exit `exit_code`, nothing on stdout, exactly `err` on stderr (the
// whole of it: error_line(...) and whatever notes are expected with it).
void check_failed(const RunResult& r, int exit_code, const std::string& err);

// Checks a run that succeeded with nothing to note: exit 0, exactly `out` on stdout, nothing on
// stderr.
void check_succeeded_quietly(const RunResult& r, const std::string& out);

// What a terminal shows for text written with \n line ends: each \n as \r\n.
std::string on_terminal(const std::string& text);

// Adds tokens to the sandbox in its seed format (a JSON array text).
void add_tokens(const Sandbox& sandbox, const std::string& json_array);

// The file's permission bits, or -1 when it does not exist.
int file_mode(const std::string& path);

// The whole content of a file.
std::string read_file(const std::string& path);

// A command line that must be refused before anything is sent, with its one-line error.
struct Refusal {
    std::vector<std::string> args;
    std::string err;
};

// Runs each command line as the seed's superuser and checks exit 2, nothing on stdout, exactly
// `aktoken: error: ERR` on stderr, and that the sandbox received no request at all.
void expect_refused(const Sandbox& sandbox, const TempDir& home, const std::vector<Refusal>& refusals);

// A loopback port that refuses connections at once: bound (for the rest of the test program's
// life, so that nothing else can take it) but never listening.
int closed_port();

// A socket bound (not listening) to a port of 127.0.0.1 the OS picked, close-on-exec: its
// descriptor and the port.
std::pair<int, int> bind_loopback_port();

// The keys of the default seed.
inline const std::string kAdminKey = "akadmin-secret-key-0001";
inline const std::string kAliceKey = "alice-secret-key-0002";
inline const std::string kBobKey = "bob-secret-key-0004";

// A token something depends on (GET used_by answers one provider), in the sandbox's seed format
// for add_tokens(): alice's non-expiring api token "alice-ssf", key kUsedTokenKey. Not in the
// default seed, whose tokens are all used by nothing.
inline const std::string kUsedTokenKey = "alice-secret-key-0009";
inline const std::string kUsedTokenSeed =
    R"([{"identifier": "alice-ssf", "pk": "99999999-9999-4999-8999-999999999999", "intent": "api", "user": 2,
  "description": "Alice shared signals", "expires": null, "expiring": false, "managed": null,
  "key": "alice-secret-key-0009", "view_key_users": [2],
  "used_by": [{"app": "authentik_providers_ssf", "model_name": "ssfprovider", "pk": "7", "name": "Alice SSF",
               "action": "cascade"}]}])";

}  // namespace harness

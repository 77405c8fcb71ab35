// SPDX-License-Identifier: MIT
// Terminal and input hygiene: what a hostile server sends is escaped wherever it is shown, what a
// user types is checked before anything is sent, and output that cannot be written is an error.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <mutex>
#include <thread>

#include "integration/harness.h"
#include "integration/loopback_server.h"

using namespace harness;

namespace {

// Everything a terminal acts on, JSON-escaped as the server sends it: clear screen, an OSC 0
// title, an OSC 52 clipboard write, a carriage return, NUL, U+009B (CSI) and bidi controls.
const std::string kNasty = R"(\u001b[2J\u001b]0;pwned\u0007\u001b]52;c;cHduZWQ=\u0007\r\u0000\u009b31m\u202e\u2066)";
// The same as aktoken must show it.
const std::string kShown = R"(\x1b[2J\x1b]0;pwned\x07\x1b]52;c;cHduZWQ=\x07\r\x00\u009b31m\u202e\u2066)";

std::string token_json(const std::string& identifier, const std::string& intent, const std::string& username,
                       const std::string& description) {
    return R"({"pk":"p1","managed":null,"identifier":")" + identifier + R"(","intent":")" + intent +
           R"(","user":7,"user_obj":{"pk":7,"username":")" + username +
           R"(","name":"N","is_superuser":false},"description":")" + description +
           R"(","expires":"2030-01-01T00:00:00Z","expiring":true})";
}

// The fields of one TSV line that ends with a newline.
std::vector<std::string> split_tsv_line(const std::string& line) {
    std::vector<std::string> fields(1);
    for (char c : line.substr(0, line.size() - 1)) {
        if (c == '\t') {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

const std::string kEvil = token_json("evil" + kNasty, "api" + kNasty, "bob" + kNasty, "desc" + kNasty);

// A server that answers like authentik but puts control characters in every text it can.
class HostileServer {
public:
    HostileServer() {
        const auto json = [](std::string body, int status = 200) {
            return [body = std::move(body), status](const httplib::Request&, httplib::Response& res) {
                res.status = status;
                res.set_content(body, "application/json");
            };
        };
        get("/api/v3/core/tokens/", json(R"({"pagination":{"next":0,"previous":0,"count":1,"current":1,)"
                                         R"("total_pages":1,"start_index":1,"end_index":1},"results":[)" +
                                         kEvil + "]}"));
        get("/api/v3/core/tokens/evil/", json(kEvil));
        get("/api/v3/core/tokens/evil/used_by/",
            json(R"([{"app":"app)" + kNasty + R"(","model_name":"model)" + kNasty + R"(","pk":"1","name":"name)" +
                 kNasty + R"(","action":"set_null)" + kNasty + R"("}])"));
        get("/api/v3/core/tokens/evil/view_key/", json(R"({"key":"abc\u001b]52;c;cHduZWQ=\u0007"})"));
        get("/api/v3/core/users/me/", json(R"({"user":{"pk":7,"username":"bob)" + kNasty + R"(","name":"Bob)" + kNasty +
                                           R"(","is_superuser":false}})"));
        get("/api/v3/core/tokens/denied/", json(R"({"detail":"Nope)" + kNasty + R"("})", 403));
        server_.Get("/api/v3/core/tokens/moved/", [this](const httplib::Request& req, httplib::Response& res) {
            record(req);
            res.status = 302;
            res.set_header("Location",
                           "https://evil.example/\x1b]0;pwned\x07\xc2\x9b"
                           "2J\xe2\x80\xae");
        });
        server_.Patch("/api/v3/core/tokens/evil/", [this](const httplib::Request& req, httplib::Response& res) {
            record(req);
            res.status = 400;
            res.set_content(
                R"({"description":["Too long)" + kNasty + R"("],"field)" + kNasty + R"(":["Bad)" + kNasty + R"("]})",
                "application/json");
        });
        // The spoof: a carriage return and "erase line" turn the question about prod-ci-deploy
        // into one about scratch-test.
        get("/api/v3/core/tokens/prod-ci-deploy/",
            json(token_json("prod-ci-deploy", R"(api, owner akadmin)\r\u001b[2Ktoken \"scratch-test\" (intent api)",
                            "akadmin", "CI")));
        get("/api/v3/core/tokens/prod-ci-deploy/used_by/", json("[]"));
        get("/api/v3/core/tokens/badutf/",
            json("{\"pk\":\"p\",\"identifier\":\"badutf\",\"intent\":\"api\",\"description\":\"bad\xff\xfe\"}"));
        get("/api/v3/core/tokens/dup/",
            json(R"({"pk":"p","identifier":"dup","intent":"app_password","description":"first","user":7,)"
                 R"("expiring":true,"intent":"api","description":"last","expiring":false})"));
        port_ = serve_on_loopback(server_, thread_);
    }
    ~HostileServer() { stop_serving(server_, thread_); }
    HostileServer(const HostileServer&) = delete;
    HostileServer& operator=(const HostileServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

    // "METHOD path" of every request, in order.
    std::vector<std::string> requests() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return requests_;
    }

    Env env(const TempDir& home) const {
        return {{"HOME", home.path()}, {"AUTHENTIK_URL", url()}, {"AUTHENTIK_TOKEN", "hostile-test-key"}};
    }

private:
    void get(const std::string& path, const std::function<void(const httplib::Request&, httplib::Response&)>& answer) {
        server_.Get(path, [this, answer](const httplib::Request& req, httplib::Response& res) {
            record(req);
            answer(req, res);
        });
    }
    void record(const httplib::Request& req) {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(req.method + " " + req.path);
    }

    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
};

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("hygiene: get blocks, tsv and id escape every control character from the server") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"get", "evil"}, server.env(home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "identifier:  evil" + kShown + "\npk:          p1\nintent:      api" + kShown +
                           "\nuser:        bob" + kShown + " (7)\ndescription: desc" + kShown +
                           "\nexpires:     2030-01-01T00:00:00Z\nexpiring:    true\nmanaged:     -\n");

        r = aktoken({"get", "evil", "-o", "tsv"}, server.env(home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "identifier\tintent\tuser\texpires\tdescription\nevil" + kShown + "\tapi" + kShown + "\tbob" +
                           kShown + "\t2030-01-01T00:00:00Z\tdesc" + kShown + "\n");
        r = aktoken({"get", "evil", "-o", "id"}, server.env(home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "evil" + kShown + "\n");

        r = aktoken({"list", "-o", "id"}, server.env(home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "evil" + kShown + "\n");
        r = aktoken({"list", "-o", "tsv", "--no-headers", "--columns", "user.username,description"}, server.env(home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "bob" + kShown + "\tdesc" + kShown + "\n");
        r = aktoken({"check", "-o", "tsv", "--no-headers"}, server.env(home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        // seconds_left depends on the clock: every other field is compared.
        const std::vector<std::string> fields = split_tsv_line(r.out);
        REQUIRE(fields.size() == 6);
        CHECK(fields[0] == "OK");
        CHECK(fields[1] == "evil" + kShown);
        CHECK(fields[2] == "2030-01-01T00:00:00Z");
        CHECK(fields[4] == "api" + kShown);
        CHECK(fields[5] == "bob" + kShown);
    }

    TEST_CASE("hygiene: json output is the same value with every control character escaped") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"list", "-o", "jsonl"}, server.env(home));
        CHECK(r.exit_code == 0);
        // RapidJSON writes C0 escapes in upper case; so does aktoken for C1 and bidi controls.
        const std::string escaped =
            R"(\u001B[2J\u001B]0;pwned\u0007\u001B]52;c;cHduZWQ=\u0007\r\u0000\u009B31m\u202E\u2066)";
        CHECK(r.out == token_json("evil" + escaped, "api" + escaped, "bob" + escaped, "desc" + escaped) + "\n");
    }

    TEST_CASE("hygiene: whoami and used-by escape what the server says") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"whoami"}, server.env(home));
        // A server that does not answer admin/version/ costs whoami nothing but a note.
        CHECK(r.err ==
              "aktoken: note: the server did not tell its version (GET /admin/version/): HTTP 404 Not Found "
              "from GET " +
                  server.url() + "/api/v3/admin/version/: not an authentik API answer (check --url)\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "username:  bob" + kShown + "\npk:        7\nname:      Bob" + kShown +
                           "\nsuperuser: no\nurl:       " + server.url() + "/api/v3\nauthentik: -\n");

        r = aktoken({"used-by", "evil"}, server.env(home));
        CHECK(r.err == "");
        CHECK(r.exit_code == 0);
        const std::string app = "app" + kShown;
        const std::string model = "model" + kShown;
        const std::string name = "name" + kShown;
        CHECK(r.out == "APP" + std::string(app.size() - 1, ' ') + "MODEL" + std::string(model.size() - 3, ' ') +
                           "NAME" + std::string(name.size() - 2, ' ') + "ACTION\n" + app + "  " + model + "  " + name +
                           "  set_null" + kShown + "\n");
        r = aktoken({"used-by", "evil", "-o", "tsv"}, server.env(home));
        CHECK(r.out == "app\tmodel\tname\taction\n" + app + "\t" + model + "\t" + name + "\tset_null" + kShown + "\n");
    }

    TEST_CASE("hygiene: error messages escape the detail, field names and messages, and Location") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"get", "denied"}, server.env(home));
        CHECK(r.exit_code == 5);
        CHECK(r.out == "");
        CHECK(r.err == error_line("permission denied: Nope" + kShown + " (HTTP 403 Forbidden)"));

        r = aktoken({"get", "moved"}, server.env(home));
        CHECK(r.exit_code == 3);
        CHECK(r.err == error_line("the server redirected GET " + server.url() +
                                  "/api/v3/core/tokens/moved/ to https://evil.example/\\x1b]0;pwned\\x07\\u009b2J"
                                  "\\u202e (HTTP 302); aktoken does not follow redirects: use the final URL "
                                  "with --url"));

        r = aktoken({"update", "evil", "--description", "x", "--no-preserve"}, server.env(home));
        CHECK(r.exit_code == 7);
        CHECK(r.err == error_line("description: Too long" + kShown) + error_line("field" + kShown + ": Bad" + kShown));
    }

    TEST_CASE("hygiene: the delete question shows the server's words escaped, so it cannot be spoofed") {
        HostileServer server;
        TempDir home;
        RunResult r =
            run_on_terminal(AKTOKEN_BINARY, {"delete", "prod-ci-deploy", "--no-color"}, server.env(home), "n\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "n\r\n"
              "token \"prod-ci-deploy\" (intent api, owner akadmin)\\r\\x1b[2Ktoken \"scratch-test\" (intent api, "
              "owner akadmin)\r\n"
              "Delete 1 token? [y/N] aktoken: nothing deleted\r\n");

        r = run_on_terminal(AKTOKEN_BINARY, {"delete", "evil", "--no-color"}, server.env(home), "n\n");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "n\r\ntoken \"evil\" (intent api" + kShown + ", owner bob" + kShown + ")\r\n  used by app" +
                           kShown + " model" + kShown + " \"name" + kShown + "\": authentik will apply set_null" +
                           kShown + "\r\nDelete 1 token? [y/N] aktoken: nothing deleted\r\n");
        for (const std::string& request : server.requests()) {
            CHECK(request.rfind("GET ", 0) == 0);
        }
    }

    TEST_CASE("hygiene: a key holding control characters is an error, never output") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"view-key", "evil"}, server.env(home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "");
        CHECK(r.err == error_line("unexpected answer from the server: the key in the answer of view_key holds "
                                  "whitespace or a control character"));
    }

    TEST_CASE("hygiene: an answer that is not UTF-8 fails cleanly and names the token") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"get", "badutf"}, server.env(home));
        CHECK(r.exit_code == 8);
        CHECK(r.out == "");
        CHECK(r.err == error_line("unexpected answer from the server: token \"badutf\" holds text that is not valid "
                                  "UTF-8"));
    }

    TEST_CASE("hygiene: of duplicate JSON members the last counts, in every format") {
        HostileServer server;
        TempDir home;
        RunResult r = aktoken({"get", "dup", "-o", "tsv", "--no-color"}, server.env(home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "identifier\tintent\tuser\texpires\tdescription\ndup\tapi\t7\tnever\tlast\n");
        r = aktoken({"get", "dup", "-o", "jsonl"}, server.env(home));
        CHECK(r.exit_code == 0);
        CHECK(r.out == R"({"pk":"p","identifier":"dup","user":7,"intent":"api","description":"last","expiring":false})"
                       "\n");
    }

    TEST_CASE("hygiene: text that is not UTF-8 is refused before anything is sent") {
        Sandbox sandbox;
        TempDir home;
        const std::string list = home.write("ids", "bob-api\nbad\xff\n");
        expect_refused(sandbox, home,
                       {
                           {{"update", "bob-api", "--description", "bad\xff\xfe"},
                            R"(--description: invalid value "bad\xff\xfe": expected text in UTF-8)"},
                           {{"update", "bob-api", "--description", "bad\xff\xfe", "--dry-run", "--no-preserve"},
                            R"(--description: invalid value "bad\xff\xfe": expected text in UTF-8)"},
                           {{"create", "new-token", "--managed", "m\xc3("},
                            R"(--managed: invalid value "m\xc3(": expected text in UTF-8)"},
                           {{"list", "--search", "\xed\xa0\x80"},
                            R"(--search: invalid value "\xed\xa0\x80": expected text in UTF-8)"},
                           {{"get", "bob\x80"}, R"(IDENTIFIER: invalid value "bob\x80": expected text in UTF-8)"},
                           {{"get", "--from-file", list}, "--from-file: \"" + list + "\" is not text in UTF-8"},
                       });
    }

    TEST_CASE("hygiene: the token sent over plain http to a host that is not loopback gets one warning") {
        TempDir home;
        const std::string port = std::to_string(closed_port());
        const auto count = [](const std::string& text, const std::string& part) {
            std::size_t n = 0;
            for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
                ++n;
            }
            return n;
        };
        RunResult r =
            aktoken({"get", "a", "b", "c", "--parallel", "3", "--retries", "0"},
                    {{"HOME", home.path()}, {"AUTHENTIK_URL", "http://0.0.0.0:" + port}, {"AUTHENTIK_TOKEN", "k"}});
        CHECK(r.exit_code == 9);
        CHECK(r.err.rfind("aktoken: warning: the API token goes to 0.0.0.0:" + port +
                              " in plain text (http://, AUTHENTIK_URL); use https://\n",
                          0) == 0);
        CHECK(count(r.err, "warning:") == 1);

        for (const std::string host : {"localhost", "127.0.0.2", "[::1]"}) {
            CAPTURE(host);
            r = aktoken({"whoami", "--retries", "0", "--url", "http://" + host + ":" + port},
                        {{"HOME", home.path()}, {"AUTHENTIK_TOKEN", "k"}});
            CHECK(r.exit_code == 9);
            CHECK(count(r.err, "warning:") == 0);
        }
    }

    TEST_CASE("hygiene: output that cannot be written is an error, exit 11") {
        Sandbox sandbox;
        TempDir home;
        const Env env = aktoken_env(sandbox, kAdminKey, home);
        struct Case {
            std::string redirect;
            std::string args;
            int exit_code;
            std::string err;
        };
        const Case cases[] = {
            {">/dev/full", "whoami", 11, error_line("cannot write to standard output: No space left on device")},
            {">&-", "whoami", 11, error_line("cannot write to standard output: Bad file descriptor")},
            {">/dev/full", "list -o id", 11, error_line("cannot write to standard output: No space left on device")},
            {">/dev/full", "--help", 11, error_line("cannot write to standard output: No space left on device")},
            {">/dev/full", "list -o json", 11,
             R"({"error":{"exit_code":11,"kind":"output","status":null,"message":"cannot write to standard output: )"
             R"(No space left on device","fields":{}}})"
             "\n"},
            // check's errors are all UNKNOWN.
            {">/dev/full", "check", 3, error_line("cannot write to standard output: No space left on device")},
            // Nothing printed, nothing lost.
            {">&-", "list -o id --identifier no-such-token", 0, ""},
        };
        for (const Case& c : cases) {
            CAPTURE(c.args);
            CAPTURE(c.redirect);
            RunResult r =
                run_program("/bin/sh", {"-c", "exec \"$0\" " + c.args + " " + c.redirect, AKTOKEN_BINARY}, env);
            CHECK(r.exit_code == c.exit_code);
            CHECK(r.err == c.err);
        }
    }

    TEST_CASE("hygiene: a reader that went away ends the run quietly, as SIGPIPE would (141)") {
        Sandbox sandbox;
        TempDir home;
        Env env = aktoken_env(sandbox, kAdminKey, home);
        // Standard output is a pipe whose reading end is closed before aktoken starts, as after
        // `aktoken list | head -1` once head has what it wants.
        int ends[2];
        REQUIRE(::pipe(ends) == 0);
        ::close(ends[0]);
        const std::string err_path = home.path() + "/stderr";
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::signal(SIGPIPE, SIG_IGN);
            ::dup2(ends[1], STDOUT_FILENO);
            const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
            ::dup2(err, STDERR_FILENO);
            std::vector<std::string> entries;
            for (const auto& [name, value] : env) {
                entries.push_back(name + "=" + value);
            }
            std::vector<char*> envp;
            for (std::string& entry : entries) {
                envp.push_back(entry.data());
            }
            envp.push_back(nullptr);
            char* argv[] = {const_cast<char*>(AKTOKEN_BINARY), const_cast<char*>("list"), const_cast<char*>("-o"),
                            const_cast<char*>("id"), nullptr};
            ::execve(AKTOKEN_BINARY, argv, envp.data());
            ::_exit(127);
        }
        ::close(ends[1]);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 141);
        CHECK(read_file(err_path) == "");
    }
}

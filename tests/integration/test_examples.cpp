// SPDX-License-Identifier: MIT
// Every shell example of the README (```sh blocks) and of the man page (.EX/.EE blocks) that
// runs aktoken runs as written, through /bin/sh, against the sandbox, and exits 0 (issue 15).
// Only what points outside this machine is changed, by the tables below: the example host is
// the sandbox, absolute paths live under a scratch root, and the files and CI variables the
// examples take as given exist. A new example that does not run fails here; fix the example.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "integration/harness.h"

using namespace harness;

namespace {

constexpr long long kNow = 1795953600;  // 2026-11-29T12:00:00Z, the sandbox's and aktoken's clock

// The hosts the examples name; they all become the sandbox.
const char* const kExampleHosts[] = {"https://auth.staging.example.com", "https://auth.example.com"};

// Absolute paths of the examples (key files, locks, textfile collectors, cron's token files, an
// installed script) move under the scratch root; their directories are made there.
const char* const kRootedPrefixes[] = {"/etc/", "/run/", "/var/", "/usr/local/sbin/"};

// Files the examples read and take as given: the api token they run with, the sandbox's admin key.
const char* const kTokenFiles[] = {"~/.config/aktoken/token", "/etc/aktoken/token", "/etc/aktoken/monitor.token",
                                   "$RUNNER_TEMP/ak"};

// The user of a cron line whose configuration file is the README's example (with its token file);
// other cron users (root, nobody) have an empty home, so their lines must name URL and token.
const char* const kConfiguredCronUser = "svc";

// What lines the examples run with besides the environment they set themselves.
const char* const kGithubRunId = "4242";

// The examples that end otherwise on purpose, with the status they end with and why.
struct Expected {
    const char* document;
    const char* command;  // a part of the line
    int exit_code;
    const char* why;
};
const Expected kNotZero[] = {
    {"aktoken.1", "check --prometheus", 2,
     "check exits as a monitoring plugin does, and the CI example before it created an app password that lives "
     "25 minutes: CRITICAL"},
};

int expected_exit(const std::string& document, const std::string& line) {
    for (const Expected& expected : kNotZero) {
        if (document == expected.document && line.find(expected.command) != std::string::npos) {
            return expected.exit_code;
        }
    }
    return 0;
}

// Lines that are not for /bin/sh: the completion line is for ~/.bashrc (process substitution).
bool needs_bash(const std::string& line) { return line.find("<(") != std::string::npos; }

struct Example {
    std::string where;  // README.md:LINE or aktoken.1:LINE
    std::string line;   // one command line, continuations joined
};

// A fenced or .EX block: its logical lines (continuations joined) and where it starts.
struct Block {
    std::string where;
    std::vector<std::string> lines;
};

std::string man_unescaped(const std::string& line) {
    static const std::pair<const char*, const char*> kEscapes[] = {{"\\-", "-"},   {"\\(ti", "~"}, {"\\(dq", "\""},
                                                                   {"\\(aq", "'"}, {"\\&", ""},    {"\\e", "\\"}};
    std::string out;
    for (std::size_t i = 0; i < line.size();) {
        bool replaced = false;
        for (const auto& [escape, text] : kEscapes) {
            if (line.compare(i, std::char_traits<char>::length(escape), escape) == 0) {
                out += text;
                i += std::char_traits<char>::length(escape);
                replaced = true;
                break;
            }
        }
        if (!replaced) {
            out += line[i++];
        }
    }
    return out;
}

// The blocks of a document: README's ```sh (or ```ini) fences, the man page's .EX/.EE.
std::vector<Block> blocks_of(const std::string& path, const std::string& name, bool man, const std::string& fence) {
    std::ifstream file(path);
    REQUIRE(file);
    std::vector<Block> blocks;
    bool inside = false;
    std::string pending;
    int number = 0;
    for (std::string line; std::getline(file, line);) {
        ++number;
        if (!inside && (man ? line == ".EX" : line == "```" + fence)) {
            inside = true;
            blocks.push_back({fmt::format("{}:{}", name, number + 1), {}});
        } else if (inside && (man ? line == ".EE" : line == "```")) {
            inside = false;
        } else if (inside) {
            pending += man ? man_unescaped(line) : line;
            if (!pending.empty() && pending.back() == '\\') {
                pending.pop_back();
                continue;
            }
            blocks.back().lines.push_back(pending);
            pending.clear();
        }
    }
    return blocks;
}

// Whether the line runs aktoken, in its command and not in a comment after it.
bool invokes_aktoken(const std::string& line) {
    static const std::regex word(R"((^|[\s|;&(])aktoken(\s|$))");
    return std::regex_search(line.substr(0, line.find(" #")), word);
}

bool is_comment(const std::string& line) {
    const std::size_t start = line.find_first_not_of(' ');
    return start == std::string::npos || line[start] == '#';
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

// The scratch directory every example runs against.
class Setting {
public:
    Setting(const Sandbox& sandbox, const TempDir& dir) : sandbox_(sandbox) {
        root_ = dir.path() + "/root";
        home_ = dir.path() + "/home";
        runner_temp_ = dir.path() + "/runner";
        homes_ = dir.path() + "/homes";
        for (const std::string& made : {root_, home_, runner_temp_, homes_}) {
            REQUIRE(::mkdir(made.c_str(), 0700) == 0);
        }
        for (const char* file : kTokenFiles) {
            write(expanded(file), kAdminKey + "\n", 0600);
        }
        const std::string configured = home_of(kConfiguredCronUser);
        write(configured + "/.config/aktoken/config", mapped(ini_example("README.md")), 0600);
        write(configured + "/.config/aktoken/token", kAdminKey + "\n", 0600);
    }

    // The example's text with the hosts and paths of the tables above.
    std::string mapped(std::string text) const {
        for (const char* host : kExampleHosts) {
            replace_all(text, host, sandbox_.url());
        }
        for (const char* prefix : kRootedPrefixes) {
            for (const char* before : {" ", "=", "\""}) {
                replace_all(text, before + std::string(prefix), before + root_ + prefix);
            }
            if (text.rfind(prefix, 0) == 0) {
                text.insert(0, root_);
            }
        }
        // The directories of the paths the line names, as the example's host would have them.
        for (std::size_t at = text.find(root_); at != std::string::npos; at = text.find(root_, at + 1)) {
            const std::string path = text.substr(at, text.find_first_of(" \"'\n", at) - at);
            make_directories(path.substr(0, path.rfind('/')));
        }
        return text;
    }

    // What a file name of kTokenFiles stands for here.
    std::string expanded(std::string name) const {
        replace_all(name, "~", home_);
        replace_all(name, "$RUNNER_TEMP", runner_temp_);
        return mapped(name);
    }

    // The environment of an interactive shell or a CI job: a HOME, aktoken first on PATH.
    Env shell() const {
        Env env = environment(home_);
        env["RUNNER_TEMP"] = runner_temp_;
        env["GITHUB_RUN_ID"] = kGithubRunId;
        return env;
    }

    // cron's environment for a line of `user`: HOME and PATH, nothing of the reader's.
    Env cron(const std::string& user) const { return environment(home_of(user)); }

    std::string write(const std::string& path, const std::string& content, unsigned mode) const {
        make_directories(path.substr(0, path.rfind('/')));
        std::ofstream(path) << content;
        REQUIRE(::chmod(path.c_str(), mode) == 0);
        return path;
    }

    const std::string& runner_temp() const { return runner_temp_; }
    const std::string& root() const { return root_; }

    // The README's ```ini block, or the man page's .EX block that starts with a section.
    static std::string ini_example(const std::string& document) {
        const bool man = document != "README.md";
        const std::string path = std::string(AKTOKEN_SOURCE_DIR) + (man ? "/man/aktoken.1" : "/README.md");
        for (const Block& block : blocks_of(path, document, man, "ini")) {
            if (!block.lines.empty() && block.lines[0].rfind('[', 0) == 0) {
                std::string text;
                for (const std::string& line : block.lines) {
                    text += line + "\n";
                }
                return text;
            }
        }
        FAIL("no configuration example in " << document);
        return {};
    }

private:
    // aktoken where it would be installed, on the clock of the sandbox.
    static Env environment(const std::string& home) {
        const std::string binary = AKTOKEN_BINARY;
        return frozen_clock({{"HOME", home}, {"PATH", binary.substr(0, binary.rfind('/')) + ":/usr/bin:/bin"}}, kNow);
    }

    std::string home_of(const std::string& user) const {
        std::string home = homes_ + "/" + user;
        make_directories(home);
        return home;
    }

    static void make_directories(const std::string& path) {
        for (std::size_t at = path.find('/', 1); at != std::string::npos; at = path.find('/', at + 1)) {
            ::mkdir(path.substr(0, at).c_str(), 0700);
        }
        ::mkdir(path.c_str(), 0700);
    }

    const Sandbox& sandbox_;
    std::string root_;
    std::string home_;
    std::string runner_temp_;
    std::string homes_;
};

struct Outcome {
    int examples = 0;  // aktoken lines run, each directly or through a script or cron
};

// Runs a document's examples in order, as a reader would type them into one shell (its exports
// hold for the lines after them) and as cron would run its lines (only the variables of the cron
// file: cron passes no environment of the user's).
Outcome run_examples(const std::string& document, const Setting& setting) {
    const bool man = document != "README.md";
    const std::string path = std::string(AKTOKEN_SOURCE_DIR) + (man ? "/man/aktoken.1" : "/README.md");
    static const std::regex cron_line(R"(^(?:[0-9*/,-]+\s+){5}(\S+)\s+(.+)$)");
    static const std::regex variable(R"(^[A-Z_][A-Z0-9_]*=\S*$)");
    std::string exports;
    std::string cron_variables;
    Outcome outcome;
    for (const Block& block : blocks_of(path, document, man, "sh")) {
        // A script block (#!/bin/sh, then its path as a comment) is installed where it says, for
        // the cron line that runs it.
        if (block.lines.size() > 2 && block.lines[0] == "#!/bin/sh" && block.lines[1].rfind("# /", 0) == 0) {
            std::string script;
            for (const std::string& line : block.lines) {
                script += setting.mapped(line) + "\n";
                outcome.examples += !is_comment(line) && invokes_aktoken(line) ? 1 : 0;
            }
            setting.write(setting.mapped(block.lines[1].substr(2)), script, 0755);
            continue;
        }
        for (const std::string& line : block.lines) {
            std::smatch cron;
            if (is_comment(line)) {
                continue;
            }
            if (line.rfind("export ", 0) == 0) {
                exports += setting.mapped(line) + "\n";
                continue;
            }
            if (std::regex_match(line, variable)) {
                cron_variables += "export " + setting.mapped(line) + "\n";
                continue;
            }
            const bool is_cron = std::regex_match(line, cron, cron_line);
            if (!is_cron && !invokes_aktoken(line)) {
                continue;  // building, installing, editing: not aktoken's examples
            }
            const std::string command = is_cron ? cron[2].str() : line;
            outcome.examples += invokes_aktoken(command) ? 1 : 0;
            const std::string script = (is_cron ? cron_variables : exports) + setting.mapped(command);
            const RunResult r = run_program(needs_bash(line) ? "/bin/bash" : "/bin/sh", {"-c", script},
                                            is_cron ? setting.cron(cron[1].str()) : setting.shell());
            CAPTURE(block.where);
            CAPTURE(line);
            CAPTURE(script);
            CAPTURE(r.out);
            CHECK(r.err.find("error") == std::string::npos);
            CHECK(r.exit_code == expected_exit(document, line));
        }
    }
    return outcome;
}

// The tokens the examples name, as they describe them: a non-expiring api token for CI and an
// app password of alice's, whose maximum lifetime is 90 days.
void add_example_tokens(const Sandbox& sandbox) {
    add_tokens(sandbox, R"([{"identifier":"ci-deploy","intent":"api","user":1,"expiring":false},)"
                        R"({"identifier":"laptop-mail","intent":"app_password","user":2,)"
                        R"("expires":"2026-12-15T00:00:00Z","expiring":true}])");
}

std::string token_json(const Sandbox& sandbox, const std::string& identifier) {
    return sandbox.api("GET", "/core/tokens/" + identifier + "/", "Bearer " + kAdminKey).body;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("examples: every aktoken line of the README runs against the sandbox with exit 0") {
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z"});
        add_example_tokens(sandbox);
        TempDir dir;
        const Setting setting(sandbox, dir);
        // Counted so that a change in the README's markup cannot quietly leave examples out.
        CHECK(run_examples("README.md", setting).examples == 13);
        // Only the Quick start's update (not its dry run), the app password's and the bulk update
        // write; the rotations are not due.
        int patches = 0;
        for (const Recorded& request : sandbox.requests()) {
            patches += request.method == "PATCH" || request.method == "POST" || request.method == "DELETE" ? 1 : 0;
        }
        CHECK(patches == 3);
        // The examples did what they say: the Quick start's description, then the bulk update's.
        CHECK(token_json(sandbox, "ci-deploy").find(R"x("description":"CI (managed by aktoken)")x") !=
              std::string::npos);
        CHECK(token_json(sandbox, "laptop-mail").find(R"("expires":"2026-12-29T12:00:00Z")") != std::string::npos);
        CHECK(read_file(setting.root() + "/var/lib/node_exporter/textfile/authentik_tokens.prom")
                  .find("authentik_token_expiring{identifier=\"ci-deploy\"") != std::string::npos);
    }

    TEST_CASE("examples: every aktoken line of the man page runs against the sandbox with exit 0") {
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z"});
        add_example_tokens(sandbox);
        // Something for the nightly cleanup to delete.
        add_tokens(sandbox, R"([{"identifier":"old-app","intent":"app_password","user":3,)"
                            R"("expires":"2026-11-01T00:00:00Z","expiring":true}])");
        TempDir dir;
        const Setting setting(sandbox, dir);
        CHECK(run_examples("aktoken.1", setting).examples == 10);
        CHECK(sandbox.api("GET", "/core/tokens/old-app/", "Bearer " + kAdminKey).status == 404);
        const std::optional<std::string> key = sandbox.key_of("ci-4242");
        REQUIRE(key);
        CHECK(read_file(setting.runner_temp() + "/app.key") == *key + "\n");
    }

    TEST_CASE("examples: the configuration examples are read as they stand") {
        Sandbox sandbox;
        TempDir dir;
        const Setting setting(sandbox, dir);
        for (const std::string document : {"README.md", "aktoken.1"}) {
            CAPTURE(document);
            const std::string config = setting.write(dir.path() + "/" + document + ".ini",
                                                     setting.mapped(Setting::ini_example(document)), 0600);
            Env env = setting.shell();
            env["AKTOKEN_CONFIG"] = config;
            for (const std::vector<std::string>& args :
                 {std::vector<std::string>{"whoami"},
                  std::vector<std::string>{"--profile", "staging", "config", "show"}}) {
                CAPTURE(args[0]);
                const RunResult r = aktoken(args, env);
                CHECK(r.err == "");
                CHECK(r.exit_code == 0);
            }
        }
    }
}  // TEST_SUITE

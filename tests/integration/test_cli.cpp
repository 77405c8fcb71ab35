// SPDX-License-Identifier: MIT
// The command line itself: usage errors that name the word at fault, `help`, help fitted to the
// terminal, and --quiet.
#include <doctest/doctest.h>

#include <sstream>

#include "integration/harness.h"

using namespace harness;

namespace {

const std::vector<std::string> kFrozen = {"--now", "2026-11-29T12:00:00Z", "--default-token-duration", "30m"};

const std::string kCommands =
    "get, update, list, create, delete, view-key, set-key, used-by, whoami, check, rotate, prune, completion, "
    "config";

// Every help aktoken has: the root's and each command's.
const std::vector<std::vector<std::string>> kHelps = {
    {"--help"},
    {"get", "--help"},
    {"update", "--help"},
    {"list", "--help"},
    {"create", "--help"},
    {"delete", "--help"},
    {"view-key", "--help"},
    {"set-key", "--help"},
    {"used-by", "--help"},
    {"whoami", "--help"},
    {"check", "--help"},
    {"rotate", "--help"},
    {"prune", "--help"},
    {"completion", "--help"},
    {"config", "--help"},
    {"config", "show", "--help"},
    {"config", "path", "--help"},
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        lines.push_back(line);
    }
    return lines;
}

// The words of a help text, without the backslashes that continue an example on the next line.
std::vector<std::string> words_of(const std::string& text) {
    std::vector<std::string> words;
    std::istringstream in(text);
    for (std::string word; in >> word;) {
        if (word != "\\") {
            words.push_back(word);
        }
    }
    return words;
}

RunResult help_at(const std::vector<std::string>& args, const std::string& columns) {
    Env env{{"HOME", "/nonexistent"}};
    if (!columns.empty()) {
        env.emplace("COLUMNS", columns);
    }
    return aktoken(args, env);
}

const std::string kConfigHelp60 =
    "Show the configuration in use\n"
    "Usage: aktoken config [OPTIONS] SUBCOMMAND\n"
    "\n"
    "Options:\n"
    "  -h,--help             Show this help and exit\n"
    "\n"
    "Subcommands:\n"
    "  show                  Every setting and where it came from\n"
    "  path                  The config file in use\n"
    "\n"
    "`config show` prints every resolved setting and where it\n"
    "came from (flag, environment, profile, default); the token\n"
    "only as <set from ...>. `config path` prints the config file\n"
    "in use.\n"
    "\n"
    "Examples:\n"
    "  aktoken config show\n"
    "  aktoken --profile staging config show -o json\n"
    "  $EDITOR \"$(aktoken config path)\"\n";

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("cli: a word no command takes is named, with the nearest command or flag and the help to run") {
        Sandbox sandbox;
        TempDir home;
        const std::string root_hint = "\nRun 'aktoken --help'.";
        expect_refused(
            sandbox, home,
            {
                // The values of global flags are not commands.
                {{"--url", sandbox.url(), "lst"}, "unknown command \"lst\" (did you mean list?)" + root_hint},
                {{"-o", "tsv", "--timeout", "5", "lst"}, "unknown command \"lst\" (did you mean list?)" + root_hint},
                {{"--url=" + sandbox.url(), "-qo", "tsv", "lst"},
                 "unknown command \"lst\" (did you mean list?)" + root_hint},
                {{"lst"}, "unknown command \"lst\" (did you mean list?)" + root_hint},
                {{"hlep"}, "unknown command \"hlep\" (did you mean help?)" + root_hint},
                {{"conf", "show"}, "unknown command \"conf\" (did you mean config?)" + root_hint},
                {{"-q", "frobnicate"}, "unknown command \"frobnicate\" (commands: " + kCommands + ")" + root_hint},
                {{"help", "lst"}, "unknown command \"lst\" (did you mean list?)" + root_hint},
                {{"config"}, "config needs a command: show or path\nRun 'aktoken config --help'."},
                {{"config", "shw"},
                 "unknown config command \"shw\" (did you mean show?)\nRun 'aktoken config --help'."},
                {{"config", "zzz"},
                 "unknown config command \"zzz\" (config commands: show, path)\nRun 'aktoken config --help'."},
                {{"list", "--expring-within", "14d"},
                 "unknown flag \"--expring-within\" for list (did you mean --expiring-within?)\n"
                 "Run 'aktoken list --help'."},
                {{"list", "--limit=3", "--expird=yes"},
                 "unknown flag \"--expird\" for list (did you mean --expired?)\nRun 'aktoken list --help'."},
                {{"get", "ci-deploy", "-x"}, "unknown flag \"-x\" for get\nRun 'aktoken get --help'."},
                {{"--bogus", "list"}, "unknown flag \"--bogus\"" + root_hint},
                {{"--url", sandbox.url(), "whoami", "me"},
                 "unexpected argument \"me\": whoami takes no arguments\nRun 'aktoken whoami --help'."},
                {{"list", "--", "--expired"},
                 "unexpected argument \"--expired\": list takes no arguments\nRun 'aktoken list --help'."},
                {{"view-key", "ci-deploy", "other"},
                 "unexpected argument \"other\": view-key takes only IDENTIFIER\nRun 'aktoken view-key --help'."},
                // What CLI11 says of a missing value names the flag and what it needs: no second line.
                {{"list", "--limit"}, "--limit: 1 required N missing"},
            });
    }

    TEST_CASE("cli: with -o json the usage error is the JSON object alone") {
        TempDir home;
        RunResult r = aktoken({"-o", "json", "lst"}, {{"HOME", home.path()}});
        CHECK(r.exit_code == 2);
        CHECK(r.out == "");
        CHECK(r.err == R"J({"error":{"exit_code":2,"kind":"usage","status":null,"message":"unknown command \"lst\" )J"
                       R"J((did you mean list?)","fields":{}}})J"
                       "\n");
    }

    TEST_CASE("cli: `help [COMMAND]` is `[COMMAND] --help`") {
        TempDir home;
        const Env env{{"HOME", home.path()}, {"COLUMNS", "80"}};
        const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> pairs = {
            {{"help"}, {"--help"}},
            {{"help", "list"}, {"list", "--help"}},
            {{"help", "config"}, {"config", "--help"}},
            {{"help", "config", "show"}, {"config", "show", "--help"}},
            {{"--url", "https://ak.example.com", "help", "rotate"}, {"rotate", "--help"}},
        };
        for (const auto& pair : pairs) {
            const std::vector<std::string>& asked = pair.first;
            const std::vector<std::string>& same_as = pair.second;
            const std::string last = asked.back();
            CAPTURE(last);
            const RunResult help = aktoken(asked, env);
            const RunResult expected = aktoken(same_as, env);
            CHECK(help.exit_code == 0);
            CHECK(help.err == "");
            CHECK(expected.exit_code == 0);
            CHECK(help.out.find("Usage: aktoken") != std::string::npos);
            CHECK(help.out == expected.out);
        }
    }

    TEST_CASE("cli: --help fits COLUMNS, breaking lines only between words") {
        for (const std::vector<std::string>& args : kHelps) {
            CAPTURE(args.front());
            const RunResult narrow = help_at(args, "60");
            const RunResult wide = help_at(args, "200");
            REQUIRE(narrow.exit_code == 0);
            REQUIRE(wide.exit_code == 0);
            for (const std::string& line : lines_of(narrow.out)) {
                CAPTURE(line);
                CHECK(line.size() <= 60);
            }
            for (const std::string& line : lines_of(wide.out)) {
                CAPTURE(line);
                CHECK(line.size() <= 200);
            }
            // Nothing broken or lost: the same words at either width.
            CHECK(words_of(narrow.out) == words_of(wide.out));
        }
        CHECK(help_at({"config", "--help"}, "60").out == kConfigHelp60);
        CHECK(help_at({"config", "--help"}, "200").out ==
              "Show the configuration in use\n"
              "Usage: aktoken config [OPTIONS] SUBCOMMAND\n"
              "\n"
              "Options:\n"
              "  -h,--help                         Show this help and exit\n"
              "\n"
              "Subcommands:\n"
              "  show                              Every setting and where it came from\n"
              "  path                              The config file in use\n"
              "\n"
              "`config show` prints every resolved setting and where it came from (flag, environment, profile, "
              "default); the token only as <set from ...>. `config path` prints the config file in use.\n"
              "\n"
              "Examples:\n"
              "  aktoken config show\n"
              "  aktoken --profile staging config show -o json\n"
              "  $EDITOR \"$(aktoken config path)\"\n");
        // An example too long for the line goes on after a backslash, as a shell reads it.
        const std::string root = help_at({"--help"}, "60").out;
        CHECK(root.find("  aktoken update ci-deploy --description \\\n"
                        "      \"CI deploy (rotated monthly)\" --dry-run\n") != std::string::npos);
        // Not a terminal and no COLUMNS: 80 columns.
        CHECK(help_at({"--help"}, "").out == help_at({"--help"}, "80").out);
    }

    TEST_CASE("cli: --help on a terminal fits the terminal's width") {
        TempDir home;
        const RunResult r = run_on_terminal(AKTOKEN_BINARY, {"config", "--help"}, {{"HOME", home.path()}}, "", 60);
        CHECK(r.exit_code == 0);
        CHECK(r.out == on_terminal(kConfigHelp60));
    }

    TEST_CASE("cli: --quiet leaves out notes and skipped rotations, never warnings, errors or results") {
        Sandbox sandbox(kFrozen);
        TempDir home;
        const std::string pattern = home.path() + "/{}.key";
        const std::vector<std::string> rotate = {
            "rotate", "admin-api", "--if-expiring-within", "7d", "--key-file", pattern, "-o", "tsv"};
        const Env admin = aktoken_env(sandbox, kAdminKey, home);
        // The nightly cron run with nothing due: without --quiet a row says so.
        check_succeeded_quietly(
            aktoken(rotate, admin),
            "identifier\tresult\texpires\tkey_went_to\treason\nadmin-api\tskipped\tnever\t-\tdoes not expire\n");
        std::vector<std::string> quiet = rotate;
        quiet.insert(quiet.begin(), "-q");
        check_succeeded_quietly(aktoken(quiet, admin), "");
        Env quiet_env = admin;
        quiet_env.emplace("AKTOKEN_QUIET", "1");
        check_succeeded_quietly(aktoken(rotate, quiet_env), "");
        CHECK(sandbox.key_of("admin-api") == kAdminKey);

        // A note goes; a warning stays. (The update moves alice-api's expiry to now + 30m.)
        RunResult r =
            aktoken({"update", "alice-api", "--description", "again", "--allow-expiry-reset", "-o", "id"}, admin);
        CHECK(r.out == "alice-api\n");
        CHECK(r.err.rfind("aktoken: note: ", 0) == 0);
        check_succeeded_quietly(
            aktoken({"-q", "update", "alice-api", "--description", "again", "--allow-expiry-reset", "-o", "id"}, admin),
            "alice-api\n");
        r = aktoken(
            {"-q", "--insecure", "update", "alice-api", "--description", "d", "--allow-expiry-reset", "-o", "id"},
            admin);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-api\n");
        CHECK(r.err == "aktoken: warning: TLS certificate verification is off (--insecure)\n");

        // A rotation that happened is a result, and its warning stays. (aktoken's clock is the
        // sandbox's frozen one, so that the warning reads the same on any day.)
        quiet = {"--quiet",    "rotate", "admin-api", "alice-api", "--if-expiring-within", "7d",
                 "--key-file", pattern,  "-o",        "id",        "--parallel",           "1"};
        r = aktoken(quiet, frozen_clock(admin, 1795953600));
        CHECK(r.exit_code == 0);
        CHECK(r.out == "alice-api\n");
        CHECK(read_file(home.path() + "/alice-api.key") == *sandbox.key_of("alice-api") + "\n");
        CHECK(r.err ==
              "aktoken: warning: token \"alice-api\" expires 2026-11-29T12:30:00Z (in 30m), within "
              "--if-expiring-within 7d: authentik's housekeeping then gives it another key; `aktoken update "
              "alice-api --no-expiring` keeps it from expiring\n");
    }

    TEST_CASE("cli: --quiet on a terminal: an empty list prints nothing") {
        Sandbox sandbox;
        TempDir home;
        Env env = aktoken_env(sandbox, kAdminKey, home);
        env.emplace("NO_COLOR", "1");
        const RunResult r = run_on_terminal(AKTOKEN_BINARY, {"-q", "list", "--identifier", "nope"}, env, "");
        CHECK(r.exit_code == 0);
        CHECK(r.out == "");
    }
}  // TEST_SUITE

// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "aktoken/config/settings.h"
#include "aktoken/util/error.h"
#include "unit/error_of.h"
#include "unit/temp_dir.h"

using namespace aktoken::config;
using aktoken::Error;
using aktoken::ErrorKind;

namespace {

using test::TempDir;

void write_file(const std::string& path, const std::string& content, mode_t mode = 0600) {
    std::ofstream(path) << content;
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

// An injected environment and a config file in a temporary directory.
struct World {
    TempDir dir;
    std::map<std::string, std::string> vars;
    std::string config = dir / "config";

    World() { vars["AKTOKEN_CONFIG"] = config; }

    Environment env() const {
        return [vars = vars](const std::string& name) -> std::optional<std::string> {
            const auto it = vars.find(name);
            if (it == vars.end()) {
                return std::nullopt;
            }
            return it->second;
        };
    }

    void write_config(const std::string& text, mode_t mode = 0600) const { write_file(config, text, mode); }

    Settings resolve(const CommandLine& command_line = {}) const {
        return aktoken::config::resolve(command_line, env());
    }

    std::string token(const Settings& settings, const std::string& stdin_text = "") const {
        std::istringstream in(stdin_text);
        return std::string(read_token(settings.token, env(), in).view());
    }
};

bool has(unsigned mask, unsigned bit) { return (mask & (1U << bit)) != 0; }

// One row of a boolean setting's precedence: the flag, the variable and the profile key as given
// (nullopt: not given), and what resolves.
struct BooleanCase {
    std::optional<bool> flag;
    std::optional<std::string> env;
    std::optional<std::string> profile;
    bool value;
    Source source;
};

// Resolves each case of a boolean setting given as `flag` on the command line, `variable` in the
// environment and `key` in the profile, and checks the value and where it came from.
void check_boolean_setting(const std::vector<BooleanCase>& cases, std::optional<bool> CommandLine::*flag,
                           const std::string& variable, const std::string& key, Setting<bool> Settings::*setting) {
    for (const BooleanCase& c : cases) {
        const std::string env_text = c.env.value_or("-");
        const std::string profile_text = c.profile.value_or("-");
        CAPTURE(env_text);
        CAPTURE(profile_text);
        World world;
        CommandLine cl;
        cl.*flag = c.flag;
        if (c.env) {
            world.vars[variable] = *c.env;
        }
        world.write_config(c.profile ? "[default]\n" + key + " = " + *c.profile + "\n" : "[default]\n");
        const Settings s = world.resolve(cl);
        CHECK((s.*setting).value == c.value);
        CHECK((s.*setting).origin.source == c.source);
    }
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("normalize_base_url") {
        struct Case {
            const char* input;
            const char* output;  // nullptr: invalid
        };
        const std::vector<Case> cases{
            {"https://ak.example.com", "https://ak.example.com/api/v3"},
            {"https://ak.example.com/", "https://ak.example.com/api/v3"},
            {"https://ak.example.com///", "https://ak.example.com/api/v3"},
            {"https://ak.example.com/api/v3", "https://ak.example.com/api/v3"},
            {"https://ak.example.com/api/v3/", "https://ak.example.com/api/v3"},
            {"https://example.com/auth", "https://example.com/auth/api/v3"},
            {"https://example.com/auth/", "https://example.com/auth/api/v3"},
            {"http://localhost:9000", "http://localhost:9000/api/v3"},
            {"http://127.0.0.1:9000/", "http://127.0.0.1:9000/api/v3"},
            {"http://[::1]:9000", "http://[::1]:9000/api/v3"},
            {"https://[2001:db8::1]", "https://[2001:db8::1]/api/v3"},
            {"HTTPS://Ak.Example.com", "https://Ak.Example.com/api/v3"},
            {"https://example.com/api/v3x", "https://example.com/api/v3x/api/v3"},
            {"ftp://x", nullptr},
            {"ak.example.com", nullptr},
            {"//ak.example.com", nullptr},
            {"https:/ak.example.com", nullptr},
            {"https://", nullptr},
            {"https:///path", nullptr},
            {"https://:443", nullptr},
            {"https://host:", nullptr},
            {"https://host:0", nullptr},
            {"https://host:65536", nullptr},
            {"https://host:x1", nullptr},
            {"https://host:-1", nullptr},
            {"https://[::1", nullptr},
            {"https://[]", nullptr},
            {"https://[::1]x", nullptr},
            {"https://ak.example.com/?a=b", nullptr},
            {"https://ak.example.com/#top", nullptr},
            {"https://user:pw@ak.example.com", nullptr},
            {"https://ak.example.com /", nullptr},
            {" https://ak.example.com", nullptr},
            {"https://ak.example.com\n", nullptr},
            {"", nullptr},
        };
        for (const auto& c : cases) {
            const std::string input = c.input;
            CAPTURE(input);
            if (c.output != nullptr) {
                CHECK(normalize_base_url(c.input) == c.output);
            } else {
                CHECK(error_of([&] { normalize_base_url(c.input); }) ==
                      "invalid URL \"" + std::string(c.input) + "\": expected http(s)://HOST[:PORT][/PATH]");
            }
        }
    }

    TEST_CASE("config_file_path follows AKTOKEN_CONFIG, then XDG, then HOME") {
        struct Case {
            std::map<std::string, std::string> vars;
            std::optional<std::string> path;
        };
        const std::vector<Case> cases{
            {{{"AKTOKEN_CONFIG", "/etc/ak.ini"}, {"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}}, "/etc/ak.ini"},
            {{{"AKTOKEN_CONFIG", "rel.ini"}, {"HOME", "/h"}}, "rel.ini"},
            {{{"AKTOKEN_CONFIG", ""}, {"HOME", "/h"}}, "/h/.config/aktoken/config"},
            {{{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}}, "/x/aktoken/config"},
            {{{"XDG_CONFIG_HOME", ""}, {"HOME", "/h"}}, "/h/.config/aktoken/config"},
            {{{"XDG_CONFIG_HOME", "relative"}, {"HOME", "/h"}}, "/h/.config/aktoken/config"},
            {{{"HOME", "/h"}}, "/h/.config/aktoken/config"},
            {{{"XDG_CONFIG_HOME", "relative"}}, std::nullopt},
            {{}, std::nullopt},
        };
        for (const auto& c : cases) {
            const std::string expected = c.path.value_or("(none)");
            CAPTURE(expected);
            const auto vars = c.vars;
            const Environment env = [vars](const std::string& name) -> std::optional<std::string> {
                const auto it = vars.find(name);
                return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
            };
            CHECK(config_file_path(env) == c.path);
        }
    }

    TEST_CASE("defaults with no config file") {
        World world;
        const Settings s = world.resolve();
        CHECK_FALSE(s.url.has_value());
        CHECK(s.token.kind == TokenSource::Kind::none);
        CHECK(s.token.origin.source == Source::default_value);
        CHECK_FALSE(s.ca_file.has_value());
        CHECK(s.insecure.value == false);
        CHECK(s.insecure.origin.source == Source::default_value);
        CHECK(s.insecure.origin.where == "default");
        CHECK(s.timeout.value == 30.0);
        CHECK(s.timeout.origin.where == "default");
        CHECK(s.output.value == "table");
        CHECK(s.output.origin.where == "default");
        CHECK(s.profile == "default");
        CHECK(s.config_path == world.config);
        CHECK(error_of([&] { require_url(s); }) ==
              "no authentik URL: use --url, AUTHENTIK_URL or url in the config profile");
        CHECK(error_of([&] { world.token(s); }) ==
              "no API token: use --token-file, AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE or token_file in the config "
              "profile");
    }

    TEST_CASE("url: --url > AUTHENTIK_URL > profile") {
        for (unsigned mask = 0; mask < 8; ++mask) {
            CAPTURE(mask);
            World world;
            CommandLine cl;
            if (has(mask, 0)) {
                cl.url = "https://flag.example.com/";
            }
            if (has(mask, 1)) {
                world.vars["AUTHENTIK_URL"] = "https://env.example.com";
            }
            world.write_config(has(mask, 2) ? "[default]\nurl = https://profile.example.com/sub/\n" : "[default]\n");
            const Settings s = world.resolve(cl);
            if (has(mask, 0)) {
                CHECK(require_url(s).value == "https://flag.example.com/api/v3");
                CHECK(s.url->origin.source == Source::flag);
                CHECK(s.url->origin.where == "--url");
            } else if (has(mask, 1)) {
                CHECK(require_url(s).value == "https://env.example.com/api/v3");
                CHECK(s.url->origin.source == Source::environment);
                CHECK(s.url->origin.where == "AUTHENTIK_URL");
            } else if (has(mask, 2)) {
                CHECK(require_url(s).value == "https://profile.example.com/sub/api/v3");
                CHECK(s.url->origin.source == Source::profile);
                CHECK(s.url->origin.where == world.config + " [default]");
            } else {
                CHECK_FALSE(s.url.has_value());
            }
        }
    }

    TEST_CASE("invalid URLs name where they came from") {
        World world;
        world.write_config("[default]\n\nurl = ftp://p\n");
        CommandLine cl;
        cl.url = "ftp://f";
        CHECK(error_of([&] { world.resolve(cl); }, ErrorKind::config) ==
              world.config + ":3: invalid URL \"ftp://p\": expected http(s)://HOST[:PORT][/PATH]");
        world.write_config("[default]\n");
        CHECK(error_of([&] { world.resolve(cl); }, ErrorKind::usage) ==
              "--url: invalid URL \"ftp://f\": expected http(s)://HOST[:PORT][/PATH]");
        world.vars["AUTHENTIK_URL"] = "example.com";
        CHECK(error_of([&] { world.resolve(); }) ==
              "AUTHENTIK_URL: invalid URL \"example.com\": expected http(s)://HOST[:PORT][/PATH]");
    }

    TEST_CASE("token: --token-file > AUTHENTIK_TOKEN > AUTHENTIK_TOKEN_FILE > profile token_file > profile token") {
        for (unsigned mask = 0; mask < 32; ++mask) {
            CAPTURE(mask);
            World world;
            write_file(world.dir / "flag.tok", "from-flag\n");
            write_file(world.dir / "env.tok", "from-env-file\n");
            write_file(world.dir / "profile.tok", "from-profile-file\n");
            CommandLine cl;
            if (has(mask, 0)) {
                cl.token_file = world.dir / "flag.tok";
            }
            if (has(mask, 1)) {
                world.vars["AUTHENTIK_TOKEN"] = "from-env";
            }
            if (has(mask, 2)) {
                world.vars["AUTHENTIK_TOKEN_FILE"] = world.dir / "env.tok";
            }
            std::string profile = "[default]\n";
            if (has(mask, 3)) {
                profile += "token_file = profile.tok\n";
            }
            if (has(mask, 4)) {
                profile += "token = \"from-profile\"\n";
            }
            world.write_config(profile);
            const Settings s = world.resolve(cl);
            struct Expected {
                TokenSource::Kind kind;
                Source source;
                std::string where;
                std::string token;
            };
            const std::string in_profile = world.config + " [default]";
            const Expected expected =
                has(mask, 0) ? Expected{TokenSource::Kind::file, Source::flag, "--token-file", "from-flag"}
                : has(mask, 1)
                    ? Expected{TokenSource::Kind::env_value, Source::environment, "AUTHENTIK_TOKEN", "from-env"}
                : has(mask, 2)
                    ? Expected{TokenSource::Kind::file, Source::environment, "AUTHENTIK_TOKEN_FILE", "from-env-file"}
                : has(mask, 3) ? Expected{TokenSource::Kind::file, Source::profile, in_profile, "from-profile-file"}
                : has(mask, 4) ? Expected{TokenSource::Kind::profile_value, Source::profile, in_profile, "from-profile"}
                               : Expected{TokenSource::Kind::none, Source::default_value, "default", ""};
            CHECK(s.token.kind == expected.kind);
            CHECK(s.token.origin.source == expected.source);
            CHECK(s.token.origin.where == expected.where);
            if (expected.kind != TokenSource::Kind::none) {
                CHECK(world.token(s) == expected.token);
            }
        }
    }

    TEST_CASE("--token-file - reads standard input") {
        World world;
        CommandLine cl;
        cl.token_file = "-";
        world.vars["AUTHENTIK_TOKEN"] = "ignored";
        const Settings s = world.resolve(cl);
        CHECK(s.token.kind == TokenSource::Kind::stdin_file);
        CHECK(world.token(s, "piped-token\r\n") == "piped-token");
        CHECK(error_of([&] { world.token(s, " \n"); }) == "the token in standard input is empty");
    }

    TEST_CASE("profile paths are relative to the config file, ~/ to HOME") {
        World world;
        world.vars["HOME"] = "/home/u";
        world.write_config("[default]\ntoken_file = ~/tok\nca_file = certs/ca.pem\n[abs]\nca_file = /etc/ca.pem\n");
        const Settings s = world.resolve();
        CHECK(s.token.path == "/home/u/tok");
        CHECK(s.ca_file->value == world.dir / "certs/ca.pem");
        CommandLine cl;
        cl.profile = "abs";
        CHECK(world.resolve(cl).ca_file->value == "/etc/ca.pem");
    }

    TEST_CASE("read_token checks the value without showing it") {
        struct Case {
            std::string value;
            std::string result_or_error;
            bool ok;
        };
        const std::vector<Case> cases{
            {"abc", "abc", true},
            {"abc\n", "abc", true},
            {"abc \t\r\n\n", "abc", true},
            {"   ", "the token in AUTHENTIK_TOKEN is empty", false},
            {"\n", "the token in AUTHENTIK_TOKEN is empty", false},
            {"ab c", "the token in AUTHENTIK_TOKEN contains whitespace or control characters", false},
            {" abc", "the token in AUTHENTIK_TOKEN contains whitespace or control characters", false},
            {"ab\x01", "the token in AUTHENTIK_TOKEN contains whitespace or control characters", false},
            {"ab\x7f", "the token in AUTHENTIK_TOKEN contains whitespace or control characters", false},
            {"line1\nline2\n", "the token in AUTHENTIK_TOKEN contains whitespace or control characters", false},
            {"Bearer abc",
             R"(the token in AUTHENTIK_TOKEN starts with "Bearer ": give only the key; aktoken adds )"
             "the Authorization scheme itself",
             false},
            {"bearer abc",
             R"(the token in AUTHENTIK_TOKEN starts with "Bearer ": give only the key; aktoken adds )"
             "the Authorization scheme itself",
             false},
            {"Bearerabc", "Bearerabc", true},
        };
        for (const auto& c : cases) {
            CAPTURE(c.result_or_error);
            World world;
            world.vars["AUTHENTIK_TOKEN"] = c.value;
            const Settings s = world.resolve();
            if (c.ok) {
                CHECK(world.token(s) == c.result_or_error);
            } else {
                CHECK(error_of([&] { world.token(s); }) == c.result_or_error);
            }
        }
    }

    TEST_CASE("token files: permissions, emptiness and absence") {
        World world;
        const std::string path = world.dir / "tok";
        world.vars["AUTHENTIK_TOKEN_FILE"] = path;
        const Settings s = world.resolve();
        CHECK(error_of([&] { world.token(s); }) == "cannot read token file " + path + ": No such file or directory");
        write_file(path, "secret\n", 0644);
        CHECK(error_of([&] { world.token(s); }) ==
              "token file " + path + " is readable by others (mode 0644); run: chmod 600 " + path);
        write_file(path, "secret\n", 0440);
        CHECK(error_of([&] { world.token(s); }) ==
              "token file " + path + " is readable by others (mode 0440); run: chmod 600 " + path);
        write_file(path, "\n", 0600);
        CHECK(error_of([&] { world.token(s); }) == "the token in " + path + " is empty");
        write_file(path, "in side\n", 0600);
        CHECK(error_of([&] { world.token(s); }) ==
              "the token in " + path + " contains whitespace or control characters");
        write_file(path, "secret\n", 0400);
        CHECK(world.token(s) == "secret");
    }

    TEST_CASE("a config file holding a token must not be readable by others") {
        World world;
        const std::string refused =
            world.config + " holds a token and is readable by others (mode 0644); run: chmod 600 " + world.config;
        world.write_config("[default]\ntoken = abc\n", 0644);
        CHECK(error_of([&] { world.resolve(); }) == refused);
        // ssh-like: a token in any profile refuses the file, whatever profile is in use.
        world.write_config("[default]\nurl = https://a\n[other]\ntoken = abc\n", 0644);
        CHECK(error_of([&] { world.resolve(); }) == refused);
        CommandLine cl;
        cl.token_file = world.dir / "elsewhere";
        CHECK(error_of([&] { world.resolve(cl); }) == refused);
        // Without a token the file may be world-readable.
        world.write_config("[default]\nurl = https://a\ntoken_file = /run/tok\n", 0644);
        CHECK(world.resolve().url->value == "https://a/api/v3");
        world.write_config("[default]\ntoken = abc\n", 0600);
        const Settings s = world.resolve();
        CHECK(s.token.kind == TokenSource::Kind::profile_value);
        CHECK(world.token(s) == "abc");
        world.write_config("[default]\ntoken = \"\"\n", 0600);
        const Settings empty = world.resolve();
        CHECK(error_of([&] { world.token(empty); }) == "the token in " + world.config + " [default] is empty");
    }

    TEST_CASE("ca_file: --ca-file > AUTHENTIK_CA_FILE > profile") {
        for (unsigned mask = 0; mask < 8; ++mask) {
            CAPTURE(mask);
            World world;
            CommandLine cl;
            if (has(mask, 0)) {
                cl.ca_file = "/flag/ca.pem";
            }
            if (has(mask, 1)) {
                world.vars["AUTHENTIK_CA_FILE"] = "/env/ca.pem";
            }
            world.write_config(has(mask, 2) ? "[default]\nca_file = /profile/ca.pem\n" : "[default]\n");
            const Settings s = world.resolve(cl);
            if (mask == 0) {
                CHECK_FALSE(s.ca_file.has_value());
                continue;
            }
            REQUIRE(s.ca_file.has_value());
            const char* expected = has(mask, 0) ? "/flag/ca.pem" : has(mask, 1) ? "/env/ca.pem" : "/profile/ca.pem";
            const std::string where = has(mask, 0)   ? "--ca-file"
                                      : has(mask, 1) ? "AUTHENTIK_CA_FILE"
                                                     : world.config + " [default]";
            CHECK(s.ca_file->value == expected);
            CHECK(s.ca_file->origin.where == where);
        }
    }

    TEST_CASE("insecure: --insecure > AUTHENTIK_INSECURE > profile > false") {
        check_boolean_setting(
            {
                {std::nullopt, std::nullopt, std::nullopt, false, Source::default_value},
                {true, std::nullopt, std::nullopt, true, Source::flag},
                {false, "true", "yes", false, Source::flag},
                {true, "false", "no", true, Source::flag},
                {std::nullopt, "true", "no", true, Source::environment},
                {std::nullopt, "false", "yes", false, Source::environment},
                {std::nullopt, "1", std::nullopt, true, Source::environment},
                {std::nullopt, "0", std::nullopt, false, Source::environment},
                {std::nullopt, "yes", std::nullopt, true, Source::environment},
                {std::nullopt, "no", std::nullopt, false, Source::environment},
                {std::nullopt, "TRUE", std::nullopt, true, Source::environment},
                {std::nullopt, "", "true", true, Source::profile},
                {std::nullopt, std::nullopt, "true", true, Source::profile},
                {std::nullopt, std::nullopt, "\"false\"", false, Source::profile},
                {std::nullopt, std::nullopt, "1", true, Source::profile},
            },
            &CommandLine::insecure, "AUTHENTIK_INSECURE", "insecure", &Settings::insecure);
    }

    TEST_CASE("insecure: invalid values") {
        World world;
        world.vars["AUTHENTIK_INSECURE"] = "maybe";
        CHECK(error_of([&] { world.resolve(); }) ==
              "AUTHENTIK_INSECURE: invalid value \"maybe\": expected true, false, 1, 0, yes or no");
        CommandLine cl;
        cl.insecure = true;
        CHECK(world.resolve(cl).insecure.value == true);  // the flag wins; the variable is not consulted
        world.vars.erase("AUTHENTIK_INSECURE");
        world.write_config("[default]\ninsecure = on\n");
        CHECK(error_of([&] { world.resolve(); }) ==
              world.config + ":2: invalid value \"on\" for insecure: expected true, false, 1, 0, yes or no");
    }

    TEST_CASE("quiet: --quiet > AKTOKEN_QUIET > profile > false") {
        check_boolean_setting(
            {
                {std::nullopt, std::nullopt, std::nullopt, false, Source::default_value},
                {true, "no", "no", true, Source::flag},
                {std::nullopt, "1", "no", true, Source::environment},
                {std::nullopt, "0", "yes", false, Source::environment},
                {std::nullopt, std::nullopt, "yes", true, Source::profile},
            },
            &CommandLine::quiet, "AKTOKEN_QUIET", "quiet", &Settings::quiet);
        World world;
        world.vars["AKTOKEN_QUIET"] = "very";
        CHECK(error_of([&] { world.resolve(); }) ==
              "AKTOKEN_QUIET: invalid value \"very\": expected true, false, 1, 0, yes or no");
    }

    TEST_CASE("timeout: --timeout > profile > 30") {
        struct Case {
            std::optional<std::string> flag;
            std::optional<std::string> profile;
            double value;
            Source source;
        };
        const std::vector<Case> cases{
            {std::nullopt, std::nullopt, 30, Source::default_value},
            {"5", "10", 5, Source::flag},
            {"0.5", std::nullopt, 0.5, Source::flag},
            {"2.", std::nullopt, 2, Source::flag},
            {".25", std::nullopt, 0.25, Source::flag},
            {"86400", std::nullopt, 86400, Source::flag},
            {std::nullopt, "10", 10, Source::profile},
            {std::nullopt, "'1.5'", 1.5, Source::profile},
        };
        for (const auto& c : cases) {
            const std::string flag_text = c.flag.value_or("-");
            CAPTURE(flag_text);
            World world;
            CommandLine cl;
            cl.timeout = c.flag;
            world.write_config(c.profile ? "[default]\ntimeout = " + *c.profile + "\n" : "[default]\n");
            const Settings s = world.resolve(cl);
            CHECK(s.timeout.value == c.value);
            CHECK(s.timeout.origin.source == c.source);
        }
    }

    TEST_CASE("timeout: invalid values") {
        struct Case {
            const char* value;
            const char* problem;
        };
        const std::vector<Case> cases{
            {"0", "expected a positive number of seconds"},
            {"0.0", "expected a positive number of seconds"},
            {"-1", "expected a positive number of seconds"},
            {"+1", "expected a positive number of seconds"},
            {"x", "expected a positive number of seconds"},
            {"", "expected a positive number of seconds"},
            {".", "expected a positive number of seconds"},
            {"1.2.3", "expected a positive number of seconds"},
            {"1e3", "expected a positive number of seconds"},
            {"inf", "expected a positive number of seconds"},
            {"nan", "expected a positive number of seconds"},
            {"10s", "expected a positive number of seconds"},
            {" 5", "expected a positive number of seconds"},
            {"86400.5", "at most 86400 seconds"},
            {"100000", "at most 86400 seconds"},
        };
        for (const auto& c : cases) {
            const std::string captured(c.value);
            CAPTURE(captured);
            World world;
            CommandLine cl;
            cl.timeout = c.value;
            CHECK(error_of([&] { world.resolve(cl); }, ErrorKind::usage) ==
                  std::string("--timeout: invalid value \"") + c.value + "\": " + c.problem);
            if (std::string_view(c.value) == " 5") {
                continue;  // the INI parser trims it: a valid 5 there
            }
            world.write_config(std::string("[default]\ntimeout = \"") + c.value + "\"\n");
            CHECK(error_of([&] { world.resolve(); }) ==
                  world.config + ":2: invalid value \"" + c.value + "\" for timeout: " + c.problem);
        }
    }

    TEST_CASE("output: -o > profile > table, stored as given") {
        for (unsigned mask = 0; mask < 4; ++mask) {
            CAPTURE(mask);
            World world;
            CommandLine cl;
            if (has(mask, 0)) {
                cl.output = "json";
            }
            world.write_config(has(mask, 1) ? "[default]\noutput = jsonl\n" : "[default]\n");
            const Settings s = world.resolve(cl);
            CHECK(s.output.value == (has(mask, 0) ? "json" : has(mask, 1) ? "jsonl" : "table"));
            CHECK(s.output.origin.where == (has(mask, 0)   ? "--output"
                                            : has(mask, 1) ? world.config + " [default]"
                                                           : "default"));
        }
    }

    TEST_CASE("profile: --profile > AKTOKEN_PROFILE > default") {
        const std::string text =
            "[default]\nurl = https://default\n[flag]\nurl = https://flag\n[env]\nurl = https://env\n";
        for (unsigned mask = 0; mask < 4; ++mask) {
            CAPTURE(mask);
            World world;
            world.write_config(text);
            CommandLine cl;
            if (has(mask, 0)) {
                cl.profile = "flag";
            }
            if (has(mask, 1)) {
                world.vars["AKTOKEN_PROFILE"] = "env";
            }
            const Settings s = world.resolve(cl);
            const std::string expected = has(mask, 0) ? "flag" : has(mask, 1) ? "env" : "default";
            CHECK(s.profile == expected);
            CHECK(s.url->value == "https://" + expected + "/api/v3");
            CHECK(s.url->origin.where == world.config + " [" + expected + "]");
        }
    }

    TEST_CASE("missing profiles and config files") {
        World world;
        CommandLine prod;
        prod.profile = "prod";
        // No file: fine unless a profile was asked for.
        CHECK(world.resolve().profile == "default");
        CHECK(error_of([&] { world.resolve(prod); }) ==
              "profile \"prod\" not found: " + world.config + " does not exist");
        world.vars["AKTOKEN_PROFILE"] = "prod";
        CHECK(error_of([&] { world.resolve(); }) == "profile \"prod\" not found: " + world.config + " does not exist");
        world.vars.erase("AKTOKEN_PROFILE");

        world.write_config("[default]\n[staging]\n");
        CHECK(error_of([&] { world.resolve(prod); }) ==
              "profile \"prod\" not found in " + world.config + " (profiles: default, staging)");
        world.write_config("[staging]\nurl = https://s\n");
        const Settings s = world.resolve();  // the implicit default may be missing
        CHECK_FALSE(s.url.has_value());
        world.write_config("# empty\n");
        CHECK(error_of([&] { world.resolve(prod); }) ==
              "profile \"prod\" not found in " + world.config + " (profiles: none)");

        World nowhere;
        nowhere.vars.clear();
        CHECK_FALSE(nowhere.resolve().config_path.has_value());
        CHECK(error_of([&] { nowhere.resolve(prod); }) ==
              "profile \"prod\" not found: no config file (set AKTOKEN_CONFIG, XDG_CONFIG_HOME or HOME)");
    }

    TEST_CASE("config file errors surface through resolve") {
        World world;
        world.write_config("[default]\ncolour = red\n");
        CHECK(error_of([&] { world.resolve(); }) ==
              world.config +
                  ":2: unknown key \"colour\" (valid: url, token_file, token, ca_file, insecure, timeout, output, "
                  "retries, retry_max_time, quiet)");
        // Values of profiles not in use are checked too.
        world.write_config("[default]\n[other]\ntimeout = soon\n");
        CHECK(error_of([&] { world.resolve(); }) ==
              world.config + ":3: invalid value \"soon\" for timeout: expected a positive number of seconds");
        world.write_config("[default]\ntoken_file =\n");
        CHECK(error_of([&] { world.resolve(); }) == world.config + ":2: token_file is empty");
        REQUIRE(::unlink(world.config.c_str()) == 0);
        REQUIRE(::mkdir(world.config.c_str(), 0700) == 0);
        CHECK(error_of([&] { world.resolve(); }) == "cannot read config file " + world.config + ": Is a directory");
    }

    TEST_CASE("retries: --retries > AKTOKEN_RETRIES > profile > 3") {
        for (unsigned mask = 0; mask < 8; ++mask) {
            CAPTURE(mask);
            World world;
            CommandLine cl;
            if (has(mask, 0)) {
                cl.retries = "0";
            }
            if (has(mask, 1)) {
                world.vars["AKTOKEN_RETRIES"] = "10";
            }
            world.write_config(has(mask, 2) ? "[default]\nretries = 07\n" : "[default]\n");
            const Settings s = world.resolve(cl);
            CHECK(s.retries.value == (has(mask, 0) ? 0 : has(mask, 1) ? 10 : has(mask, 2) ? 7 : 3));
            CHECK(s.retries.origin.source == (has(mask, 0)   ? Source::flag
                                              : has(mask, 1) ? Source::environment
                                              : has(mask, 2) ? Source::profile
                                                             : Source::default_value));
            CHECK(s.retries.origin.where == (has(mask, 0)   ? "--retries"
                                             : has(mask, 1) ? "AKTOKEN_RETRIES"
                                             : has(mask, 2) ? world.config + " [default]"
                                                            : "default"));
        }
    }

    TEST_CASE("retry_max_time: --retry-max-time > AKTOKEN_RETRY_MAX_TIME > profile > no limit") {
        for (unsigned mask = 0; mask < 8; ++mask) {
            CAPTURE(mask);
            World world;
            CommandLine cl;
            if (has(mask, 0)) {
                cl.retry_max_time = "0";
            }
            if (has(mask, 1)) {
                world.vars["AKTOKEN_RETRY_MAX_TIME"] = "2.5";
            }
            world.write_config(has(mask, 2) ? "[default]\nretry_max_time = 86400\n" : "[default]\n");
            const Settings s = world.resolve(cl);
            if (mask == 0) {
                CHECK_FALSE(s.retry_max_time.has_value());
                continue;
            }
            REQUIRE(s.retry_max_time.has_value());
            CHECK(s.retry_max_time->value == (has(mask, 0) ? 0 : has(mask, 1) ? 2.5 : 86400));
            CHECK(s.retry_max_time->origin.where == (has(mask, 0)   ? "--retry-max-time"
                                                     : has(mask, 1) ? "AKTOKEN_RETRY_MAX_TIME"
                                                                    : world.config + " [default]"));
        }
    }

    TEST_CASE("retries and retry_max_time: invalid values from each source") {
        const std::string retries_expected = "expected a whole number from 0 to 10";
        const std::string seconds_expected = "expected a number of seconds from 0 to 86400";
        struct Case {
            const char* value;
            bool retries;  // else retry_max_time
        };
        const std::vector<Case> cases{
            {"x", true},   {"11", true},       {"-1", true},   {"+1", true},          {"1.0", true},
            {"1e1", true}, {"", true},         {"3 ", true},   {"0x3", true},         {"x", false},
            {"-1", false}, {"86400.5", false}, {"1e1", false}, {"0x10", false},       {"inf", false},
            {"", false},   {".", false},       {"10s", false}, {"1\x1b[31mX", false},
        };
        for (const auto& c : cases) {
            const std::string value = c.value;
            CAPTURE(value);
            CAPTURE(c.retries);
            const std::string quoted_value = value == "1\x1b[31mX" ? "\"1\\x1b[31mX\"" : "\"" + value + "\"";
            const std::string& expected = c.retries ? retries_expected : seconds_expected;
            World world;
            CommandLine cl;
            (c.retries ? cl.retries : cl.retry_max_time) = value;
            const std::string flag = c.retries ? "--retries" : "--retry-max-time";
            CHECK(error_of([&] { world.resolve(cl); }, ErrorKind::usage) ==
                  flag + ": invalid value " + quoted_value + ": " + expected);
            if (!value.empty()) {  // an empty variable counts as unset
                const std::string variable = c.retries ? "AKTOKEN_RETRIES" : "AKTOKEN_RETRY_MAX_TIME";
                world.vars[variable] = value;
                CHECK(error_of([&] { world.resolve(); }) ==
                      variable + ": invalid value " + quoted_value + ": " + expected);
                world.vars.erase(variable);
            }
            if (value.find('\x1b') != std::string::npos) {
                continue;  // the INI parser has its own word on control characters
            }
            const std::string key = c.retries ? "retries" : "retry_max_time";
            world.write_config("[default]\n" + key + " = \"" + value + "\"\n");
            CHECK(error_of([&] { world.resolve(); }) ==
                  world.config + ":2: invalid value " + quoted_value + " for " + key + ": " + expected);
        }
    }

    TEST_CASE("a value given on the command line is quoted safely in its message") {
        World world;
        CommandLine cl;
        cl.timeout = "1\x1b[31mX";
        CHECK(error_of([&] { world.resolve(cl); }, ErrorKind::usage) ==
              "--timeout: invalid value \"1\\x1b[31mX\": expected a positive number of seconds");
        world.vars["AUTHENTIK_INSECURE"] = "\xe2\x80\xae";
        CHECK(error_of([&] { world.resolve(); }) ==
              "AUTHENTIK_INSECURE: invalid value \"\\u202e\": expected true, false, 1, 0, yes or no");
    }

    TEST_CASE("profile_origin: --profile > AKTOKEN_PROFILE > default") {
        World world;
        world.write_config("[default]\n[flag]\n[env]\n");
        CHECK(world.resolve().profile_origin.source == Source::default_value);
        CHECK(world.resolve().profile_origin.where == "default");
        world.vars["AKTOKEN_PROFILE"] = "env";
        CHECK(world.resolve().profile_origin.source == Source::environment);
        CHECK(world.resolve().profile_origin.where == "AKTOKEN_PROFILE");
        CommandLine cl;
        cl.profile = "flag";
        CHECK(world.resolve(cl).profile_origin.source == Source::flag);
        CHECK(world.resolve(cl).profile_origin.where == "--profile");
    }

    TEST_CASE("--token-file - refuses more than 1 MiB") {
        World world;
        CommandLine cl;
        cl.token_file = "-";
        const Settings s = world.resolve(cl);
        CHECK(error_of([&] { world.token(s, std::string(1024 * 1024 + 1, 'a')); }) ==
              "cannot read the token from standard input: more than 1 MiB");
    }

    TEST_CASE("setting_table: one row per setting, in the order of config show") {
        struct Row {
            std::string name, flag, short_flag, value_name, variables, keys, default_text, help;
        };
        const std::vector<Row> expected{
            {"profile", "--profile", "", "NAME", "AKTOKEN_PROFILE", "", "'default'", "Config file profile"},
            {"url", "--url", "", "URL", "AUTHENTIK_URL", "url", "",
             "authentik base URL, e.g. https://auth.example.com"},
            {"token", "--token-file", "", "PATH", "AUTHENTIK_TOKEN AUTHENTIK_TOKEN_FILE", "token_file(path) token", "",
             "Read the API token from PATH ('-' for stdin)"},
            {"ca_file", "--ca-file", "", "PATH", "AUTHENTIK_CA_FILE", "ca_file(path)", "",
             "Trust the CA certificates in PATH"},
            {"insecure", "--insecure", "", "", "AUTHENTIK_INSECURE", "insecure", "",
             "Do not verify the server's TLS certificate"},
            {"timeout", "--timeout", "", "SECONDS", "", "timeout", "30", "Whole-request timeout"},
            {"output", "--output", "-o", "FORMAT", "", "output", "table",
             "Output format: table, wide, json, jsonl, tsv or id"},
            {"retries", "--retries", "", "N", "AKTOKEN_RETRIES", "retries", "3", "Retries of failed requests, 0 to 10"},
            {"retry_max_time", "--retry-max-time", "", "SECONDS", "AKTOKEN_RETRY_MAX_TIME", "retry_max_time",
             "no limit", "Give up retrying after this long, 0 to 86400"},
            {"quiet", "--quiet", "-q", "", "AKTOKEN_QUIET", "quiet", "",
             "Only results, warnings and errors: no notes, no skipped tokens"},
        };
        const auto table = setting_table();
        REQUIRE(table.size() == expected.size());
        for (std::size_t i = 0; i < table.size(); ++i) {
            const SettingSpec& spec = table[i];
            CAPTURE(spec.name);
            std::string variables;
            for (const auto variable : spec.variables) {
                if (!variable.empty()) {
                    variables += (variables.empty() ? "" : " ") + std::string(variable);
                }
            }
            std::string keys;
            for (const auto& key : spec.keys) {
                if (!key.name.empty()) {
                    keys += (keys.empty() ? "" : " ") + std::string(key.name) + (key.path ? "(path)" : "");
                }
            }
            const Row actual{std::string(spec.name),
                             std::string(spec.flag),
                             std::string(spec.short_flag),
                             std::string(spec.value_name),
                             variables,
                             keys,
                             std::string(spec.default_text),
                             std::string(spec.help)};
            CHECK(actual.name == expected[i].name);
            CHECK(actual.flag == expected[i].flag);
            CHECK(actual.short_flag == expected[i].short_flag);
            CHECK(actual.value_name == expected[i].value_name);
            CHECK(actual.variables == expected[i].variables);
            CHECK(actual.keys == expected[i].keys);
            CHECK(actual.default_text == expected[i].default_text);
            CHECK(actual.help == expected[i].help);
        }
    }

    TEST_CASE("flag_help adds the default and the variables") {
        std::vector<std::string> lines;
        for (const SettingSpec& spec : setting_table()) {
            lines.push_back(flag_help(spec));
        }
        const std::vector<std::string> expected{
            "Config file profile (default 'default'; env AKTOKEN_PROFILE)",
            "authentik base URL, e.g. https://auth.example.com (env AUTHENTIK_URL)",
            "Read the API token from PATH ('-' for stdin) (env AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE)",
            "Trust the CA certificates in PATH (env AUTHENTIK_CA_FILE)",
            "Do not verify the server's TLS certificate (env AUTHENTIK_INSECURE)",
            "Whole-request timeout (default 30)",
            "Output format: table, wide, json, jsonl, tsv or id (default table)",
            "Retries of failed requests, 0 to 10 (default 3; env AKTOKEN_RETRIES)",
            "Give up retrying after this long, 0 to 86400 (default no limit; env AKTOKEN_RETRY_MAX_TIME)",
            "Only results, warnings and errors: no notes, no skipped tokens (env AKTOKEN_QUIET)",
        };
        CHECK(lines == expected);
    }

    TEST_CASE("process_environment treats empty variables as unset") {
        ::setenv("AKTOKEN_TEST_SET", "value", 1);
        ::setenv("AKTOKEN_TEST_EMPTY", "", 1);
        ::unsetenv("AKTOKEN_TEST_UNSET");
        const Environment env = process_environment();
        CHECK(env("AKTOKEN_TEST_SET") == "value");
        CHECK(env("AKTOKEN_TEST_EMPTY") == std::nullopt);
        CHECK(env("AKTOKEN_TEST_UNSET") == std::nullopt);
        ::unsetenv("AKTOKEN_TEST_SET");
        ::unsetenv("AKTOKEN_TEST_EMPTY");
    }

}  // TEST_SUITE

// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "integration/harness.h"

using namespace harness;

namespace {

// Runs aktoken as a user who cannot create files in a root-owned directory of mode 0555: the
// test's own user, or nobody when the tests run as root (whom permissions do not stop).
RunResult aktoken_unprivileged(const std::vector<std::string>& args, const Env& env) {
    if (::geteuid() != 0) {
        return aktoken(args, env);
    }
    std::vector<std::string> full = {"--reuid=65534", "--regid=65534", "--clear-groups", AKTOKEN_BINARY};
    full.insert(full.end(), args.begin(), args.end());
    return run_program("/usr/bin/setpriv", full, env);
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("output paths: a path that cannot be written is refused before the first request") {
        Sandbox sandbox;
        TempDir home;
        const std::string link = home.path() + "/link.key";
        REQUIRE(::symlink((home.path() + "/target.key").c_str(), link.c_str()) == 0);
        const std::string link_refused = "--key-file: invalid value \"" + link + "\": " + link +
                                         " is a symbolic link; aktoken replaces the file itself, never the target "
                                         "of a link";
        const std::string directory = home.path() + "/sub/";
        REQUIRE(::mkdir((home.path() + "/bob-api").c_str(), 0700) == 0);
        expect_refused(
            sandbox, home,
            {
                {{"create", "new-token", "--key-file", ""}, "--key-file: invalid value \"\": expected a file path"},
                {{"create", "new-token", "--key-file", link}, link_refused},
                {{"view-key", "bob-api", "--key-file", link}, link_refused},
                {{"rotate", "bob-api", "--key-file", link}, link_refused},
                {{"rotate", "bob-api", "--key-file", home.path() + "/{}", "--show-key"},
                 "--key-file: invalid value \"" + home.path() + "/{}\": " + home.path() + "/bob-api is a directory"},
                {{"create", "new-token", "--key-file", "/dev/null"},
                 "--key-file: invalid value \"/dev/null\": /dev/null is not a regular file"},
                {{"view-key", "bob-api", "--key-file", directory},
                 "--key-file: invalid value \"" + directory + "\": " + directory +
                     " names a directory; expected a file path"},
            });
    }

    TEST_CASE("output paths: a file beside the key file that rotate cannot trust is refused before the first request") {
        Sandbox sandbox;
        TempDir home;
        const std::string path = home.path() + "/ci.key";
        REQUIRE(::symlink((home.path() + "/elsewhere").c_str(), (path + ".lock").c_str()) == 0);
        RunResult r = aktoken({"rotate", "bob-api", "--key-file", path}, aktoken_env(sandbox, kAdminKey, home));
        CHECK(r.exit_code == 3);
        CHECK(r.out == "");
        CHECK(r.err == error_line("refusing lock file " + path + ".lock: it is a symbolic link"));
        CHECK(sandbox.requests().empty());
        CHECK(sandbox.key_of("bob-api") == kBobKey);
    }

    TEST_CASE("output paths: a directory that takes no new files is refused before the first request") {
        Sandbox sandbox;
        TempDir home;
        REQUIRE(::chmod(home.path().c_str(), 0755) == 0);
        const std::string read_only = home.path() + "/ro";
        REQUIRE(::mkdir(read_only.c_str(), 0555) == 0);
        const auto refused = [&](const std::string& flag, const std::string& value) {
            return error_line(flag + ": invalid value \"" + value + "\": cannot create files in directory " +
                              read_only + " (Permission denied)");
        };
        struct Case {
            std::vector<std::string> args;
            int exit_code;
            std::string err;
        };
        const Case cases[] = {
            {{"create", "new-token", "--key-file", read_only + "/new.key"},
             2,
             refused("--key-file", read_only + "/new.key")},
            {{"rotate", "bob-api", "--key-file", read_only + "/{}.key"},
             2,
             refused("--key-file", read_only + "/{}.key")},
            {{"view-key", "bob-api", "--key-file", read_only + "/k"}, 2, refused("--key-file", read_only + "/k")},
            // check exits 3 (UNKNOWN) on any error, and must not list the tokens first.
            {{"check", "--prometheus", read_only + "/m.prom"}, 3, refused("--prometheus", read_only + "/m.prom")},
        };
        for (const Case& c : cases) {
            CAPTURE(c.args[0]);
            RunResult r = aktoken_unprivileged(c.args, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == c.exit_code);
            CHECK(r.out == "");
            CHECK(r.err == c.err);
        }
        CHECK(sandbox.requests().empty());
        CHECK_FALSE(sandbox.key_of("new-token"));
        CHECK(sandbox.key_of("bob-api") == kBobKey);
    }
}  // TEST_SUITE

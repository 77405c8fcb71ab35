// SPDX-License-Identifier: MIT
// The README's Quick start runs as written against the sandbox (issue 14).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "integration/harness.h"

using namespace harness;

namespace {

// The `aktoken` lines of the first sh block after "## Quick start", without comments.
std::vector<std::string> quick_start_lines() {
    std::ifstream file(AKTOKEN_SOURCE_DIR "/README.md");
    std::vector<std::string> lines;
    bool in_section = false;
    bool in_block = false;
    for (std::string line; std::getline(file, line);) {
        if (line == "## Quick start") {
            in_section = true;
        } else if (in_section && line == "```sh") {
            in_block = true;
        } else if (in_block && line == "```") {
            break;
        } else if (in_block && line.rfind("aktoken ", 0) == 0) {
            lines.push_back(line.substr(0, line.find("  #")));
        }
    }
    return lines;
}

// Splits a command line as sh does for words and double quotes (all the README uses).
std::vector<std::string> words(const std::string& line) {
    std::vector<std::string> out;
    std::string word;
    bool quoted = false;
    bool any = false;
    for (const char c : line) {
        if (c == '"') {
            quoted = !quoted;
            any = true;
        } else if (c == ' ' && !quoted) {
            if (any) {
                out.push_back(word);
            }
            word.clear();
            any = false;
        } else {
            word += c;
            any = true;
        }
    }
    if (any) {
        out.push_back(word);
    }
    return out;
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("readme: every aktoken line of the Quick start runs against the sandbox with exit 0") {
        Sandbox sandbox({"--now", "2026-11-29T12:00:00Z"});
        TempDir home;
        // The tokens the Quick start names, as it describes them: a non-expiring api token for CI
        // and an app password of alice's, whose maximum lifetime is 90 days.
        add_tokens(sandbox, R"([{"identifier":"ci-deploy","intent":"api","user":1,"expiring":false},)"
                            R"({"identifier":"laptop-mail","intent":"app_password","user":2,)"
                            R"("expires":"2026-12-15T00:00:00Z","expiring":true}])");
        const std::vector<std::string> lines = quick_start_lines();
        REQUIRE(lines.size() == 4);
        for (const std::string& line : lines) {
            CAPTURE(line);
            std::vector<std::string> args = words(line);
            args.erase(args.begin());
            const RunResult r = aktoken(args, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
        }
        // Only the last two lines write.
        int patches = 0;
        for (const Recorded& request : sandbox.requests()) {
            patches += request.method == "PATCH" ? 1 : 0;
        }
        CHECK(patches == 2);
    }
}  // TEST_SUITE

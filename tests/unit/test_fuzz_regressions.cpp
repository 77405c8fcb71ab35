// SPDX-License-Identifier: MIT
// Replays every input under tests/fuzz/regressions/<target>/ through the body of that fuzz target
// (tests/fuzz/fuzz_<target>.cpp, compiled into this binary without the libFuzzer entry point), so
// that a crash once found stays a test in the default run. See tests/fuzz/regressions/README.md.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz/targets.h"

#ifndef AKTOKEN_FUZZ_REGRESSIONS
#error "AKTOKEN_FUZZ_REGRESSIONS must name tests/fuzz/regressions (set in tests/fuzz/CMakeLists.txt)"
#endif

namespace {

namespace fs = std::filesystem;

using Target = void (*)(std::string_view);

// Directory name -> target body; the names are the fuzzer executables'.
const std::map<std::string, Target>& targets() {
    static const std::map<std::string, Target> table{
        {"fuzz_token", aktoken::fuzz::token},
        {"fuzz_page", aktoken::fuzz::page},
        {"fuzz_json_misc", aktoken::fuzz::json_misc},
        {"fuzz_time", aktoken::fuzz::time},
        {"fuzz_ini", aktoken::fuzz::ini},
        {"fuzz_url", aktoken::fuzz::url},
        {"fuzz_redact", aktoken::fuzz::redact},
        {"fuzz_retry_after", aktoken::fuzz::retry_after},
    };
    return table;
}

const fs::path regressions_dir{AKTOKEN_FUZZ_REGRESSIONS};

// The regular files of a target's directory in name order (none when it does not exist).
std::vector<fs::path> inputs_of(const std::string& target) {
    std::vector<fs::path> files;
    const fs::path dir = regressions_dir / target;
    if (fs::is_directory(dir)) {
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.is_regular_file()) {
                files.push_back(entry.path());
            }
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string read_binary(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE_MESSAGE(in.good(), "cannot open ", path.string());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const std::string& target) {
    const Target run = targets().at(target);
    for (const fs::path& path : inputs_of(target)) {
        const std::string input = read_binary(path);
        INFO("regression input ", path.string(), " (", input.size(), " bytes)");
        CHECK_NOTHROW(run(input));
    }
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("fuzz regressions: the directory exists and holds only known targets") {
        REQUIRE_MESSAGE(fs::is_directory(regressions_dir), regressions_dir.string(), " is missing");
        for (const auto& entry : fs::directory_iterator(regressions_dir)) {
            if (!entry.is_directory()) {
                continue;  // README.md
            }
            const std::string name = entry.path().filename().string();
            CHECK_MESSAGE(targets().count(name) == 1, "unknown fuzz target directory ", entry.path().string());
        }
    }

    TEST_CASE("fuzz regressions: fuzz_token") { replay("fuzz_token"); }
    TEST_CASE("fuzz regressions: fuzz_page") { replay("fuzz_page"); }
    TEST_CASE("fuzz regressions: fuzz_json_misc") { replay("fuzz_json_misc"); }
    TEST_CASE("fuzz regressions: fuzz_time") { replay("fuzz_time"); }
    TEST_CASE("fuzz regressions: fuzz_ini") { replay("fuzz_ini"); }
    TEST_CASE("fuzz regressions: fuzz_url") { replay("fuzz_url"); }
    TEST_CASE("fuzz regressions: fuzz_redact") { replay("fuzz_redact"); }
    TEST_CASE("fuzz regressions: fuzz_retry_after") { replay("fuzz_retry_after"); }
}

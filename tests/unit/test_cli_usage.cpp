// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "cli/usage.h"

using namespace aktoken;

TEST_SUITE("unit") {
    TEST_CASE("help_entry: the description wraps at spaces under its column") {
        CHECK(cli::help_entry("--url URL", "authentik base URL, e.g. https://auth.example.com (env AUTHENTIK_URL)", 24,
                              60) ==
              "  --url URL             authentik base URL, e.g.\n"
              "                        https://auth.example.com (env\n"
              "                        AUTHENTIK_URL)\n");
        // A name that reaches the column puts the description on the next line.
        CHECK(cli::help_entry("--retry-max-time SECONDS", "Give up retrying", 24, 60) ==
              "  --retry-max-time SECONDS\n"
              "                        Give up retrying\n");
        CHECK(cli::help_entry("-h,--help", "", 24, 60) == "  -h,--help\n");
        // Wide enough: one line, however long.
        const std::string long_text(150, 'x');
        CHECK(cli::help_entry("--a", "b " + long_text, 10, 200) == "  --a     b " + long_text + "\n");
        // A word longer than the room is never broken.
        CHECK(cli::help_entry("--a", "b " + long_text, 10, 60) == "  --a     b\n          " + long_text + "\n");
        // Lines of a description stay lines.
        CHECK(cli::help_entry("--a", "one two\nthree", 10, 14) == "  --a     one\n          two\n          three\n");
    }

    TEST_CASE("fit_prose: paragraphs reflow, examples stay lines and continue after a backslash") {
        const std::string text =
            "First paragraph, written\nfor 80 columns.\n\nExamples:\n"
            "  aktoken update ci-deploy --description \"CI deploy (rotated monthly)\" --dry-run\n"
            "  aktoken list\n";
        CHECK(cli::fit_prose(text, 200) ==
              "First paragraph, written for 80 columns.\n\nExamples:\n"
              "  aktoken update ci-deploy --description \"CI deploy (rotated monthly)\" --dry-run\n"
              "  aktoken list\n");
        // The quoted description is one shell word: the break is never inside the quotes.
        CHECK(cli::fit_prose(text, 40) ==
              "First paragraph, written for 80 columns.\n\nExamples:\n"
              "  aktoken update ci-deploy \\\n"
              "      --description \\\n"
              "      \"CI deploy (rotated monthly)\" \\\n"
              "      --dry-run\n"
              "  aktoken list\n");
        CHECK(cli::fit_prose("First paragraph, written", 20) == "First paragraph,\nwritten");
        // A word too long for the continuation's indent starts where the command did.
        CHECK(cli::fit_prose("  curl -H \"Authorization: Bearer $(aktoken view-key x)\" ...\n", 50) ==
              "  curl -H \\\n"
              "  \"Authorization: Bearer $(aktoken view-key x)\" \\\n"
              "      ...\n");
        CHECK(cli::fit_prose("\nleading blank line\n", 80) == "\nleading blank line\n");
        CHECK(cli::fit_prose("", 80) == "");
    }

    TEST_CASE("edit_distance counts insertions, deletions, substitutions and swaps") {
        CHECK(cli::edit_distance("lst", "list") == 1);
        CHECK(cli::edit_distance("lsit", "list") == 1);
        CHECK(cli::edit_distance("list", "list") == 0);
        CHECK(cli::edit_distance("", "get") == 3);
        CHECK(cli::edit_distance("--expring-within", "--expiring-within") == 1);
        CHECK(cli::edit_distance("rotaet", "rotate") == 1);
        CHECK(cli::edit_distance("kitten", "sitting") == 3);
    }

    TEST_CASE("nearest: the closest candidates within two edits, else those the word begins") {
        const std::vector<std::string> commands{"get",      "update",     "list",    "create", "delete",
                                                "view-key", "set-key",    "used-by", "whoami", "check",
                                                "rotate",   "completion", "config",  "help"};
        CHECK(cli::nearest("lst", commands) == std::vector<std::string>{"list"});
        CHECK(cli::nearest("conf", commands) == std::vector<std::string>{"config"});
        CHECK(cli::nearest("hlep", commands) == std::vector<std::string>{"help"});
        CHECK(cli::nearest("comp", commands) == std::vector<std::string>{"completion"});
        CHECK(cli::nearest("frobnicate", commands).empty());
        // One letter is one edit from any one-letter word: nothing is near enough.
        CHECK(cli::nearest("x", {"o", "v"}).empty());
        CHECK(cli::nearest("gt", commands) == std::vector<std::string>{"get"});
        const std::vector<std::string> flags{"--expires", "--expired", "--expiring", "--expiring-within"};
        CHECK(cli::nearest("--expire", flags) == std::vector<std::string>{"--expires", "--expired"});
        CHECK(cli::nearest("--expring-within", flags) == std::vector<std::string>{"--expiring-within"});
        // The word itself is no suggestion.
        CHECK(cli::nearest("list", {"list"}).empty());
    }

    TEST_CASE("did_you_mean names one, two or three suggestions") {
        CHECK(cli::did_you_mean({}) == "");
        CHECK(cli::did_you_mean({"list"}) == " (did you mean list?)");
        CHECK(cli::did_you_mean({"--expires", "--expired"}) == " (did you mean --expires or --expired?)");
        CHECK(cli::did_you_mean({"a", "b", "c"}) == " (did you mean a, b or c?)");
    }

    TEST_CASE("command_word: the first word that is neither an option nor a global option's value") {
        CHECK(cli::command_word({"--url", "https://a.example", "-o", "json", "list", "--limit", "1"}) == 4);
        CHECK(cli::command_word({"-v", "--token-file", "get", "rotate"}) == 3);
        CHECK(cli::command_word({"--insecure", "whoami"}) == 1);
        CHECK(cli::command_word({"--url", "x", "--quiet"}) == 3);
        CHECK(cli::command_word({}) == 0);
    }
}  // TEST_SUITE

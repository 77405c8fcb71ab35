// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "aktoken/output/terminal.h"

using namespace aktoken;

namespace {

// A pipe: never a terminal, so terminal_width has to fall back to COLUMNS.
struct Pipe {
    int fds[2] = {-1, -1};
    Pipe() { REQUIRE(pipe(fds) == 0); }
    ~Pipe() {
        close(fds[0]);
        close(fds[1]);
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
};

// Sets or unsets COLUMNS for one test and puts the old value back.
class ColumnsVariable {
public:
    ColumnsVariable() {
        if (const char* old = std::getenv("COLUMNS")) {
            old_ = old;
        }
    }
    ~ColumnsVariable() {
        if (old_) {
            setenv("COLUMNS", old_->c_str(), 1);
        } else {
            unsetenv("COLUMNS");
        }
    }
    ColumnsVariable(const ColumnsVariable&) = delete;
    ColumnsVariable& operator=(const ColumnsVariable&) = delete;

    void set(const char* value) {
        if (value != nullptr) {
            setenv("COLUMNS", value, 1);
        } else {
            unsetenv("COLUMNS");
        }
    }

private:
    std::optional<std::string> old_;
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("terminal: a pipe is not a terminal") {
        Pipe p;
        CHECK_FALSE(output::is_terminal(p.fds[0]));
        CHECK_FALSE(output::is_terminal(p.fds[1]));
        CHECK_FALSE(output::is_terminal(-1));
    }

    TEST_CASE("terminal: without a window size the width comes from a positive COLUMNS") {
        Pipe p;
        ColumnsVariable columns;
        columns.set("132");
        CHECK(output::terminal_width(p.fds[1]) == 132);
        CHECK(output::terminal_width(-1) == 132);
        columns.set(nullptr);
        CHECK(output::terminal_width(p.fds[1]) == 0);
        for (const char* bad : {"", "0", "-80", "80x", " 80", "wide", "99999999999"}) {
            CAPTURE(bad);
            columns.set(bad);
            CHECK(output::terminal_width(p.fds[1]) == 0);
        }
    }

}  // TEST_SUITE

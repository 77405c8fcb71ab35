// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "aktoken/commands/token_fields.h"
#include "unit/error_of.h"

using namespace aktoken;

TEST_SUITE("unit") {
    TEST_CASE("check_identifiers: names the repeat met first in the input, and refuses a bad identifier") {
        CHECK_NOTHROW(commands::check_identifiers({}));
        CHECK_NOTHROW(commands::check_identifiers({"b", "a", "c"}));
        CHECK(error_of(
                  [] {
                      commands::check_identifiers({"x", "b", "b", "x"});
                  },
                  ErrorKind::usage) == "IDENTIFIER: \"b\" is given twice");
        CHECK(error_of(
                  [] {
                      commands::check_identifiers({"x", "b", "x", "b"});
                  },
                  ErrorKind::usage) == "IDENTIFIER: \"x\" is given twice");
        CHECK(error_of(
                  [] {
                      commands::check_identifiers({"a", "b c", "a"});
                  },
                  ErrorKind::usage) ==
              "IDENTIFIER: invalid value \"b c\": expected 1 to 255 letters, digits, '-' or '_' (authentik's "
              "identifier slug)");
    }
}

// SPDX-License-Identifier: MIT
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "aktoken/util/error.h"

// The message of the aktoken::Error that `f` throws, checking its kind; "(no error)" when it
// throws none.
template <class F>
std::string error_of(F&& f, aktoken::ErrorKind expected_kind = aktoken::ErrorKind::config) {
    try {
        f();
    } catch (const aktoken::Error& e) {
        CHECK(e.kind() == expected_kind);
        return e.what();
    }
    return "(no error)";
}

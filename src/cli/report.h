// SPDX-License-Identifier: MIT
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "aktoken/util/error.h"

namespace aktoken::cli {

// The documented exit status of an error kind (the one table of them).
int exit_code(ErrorKind kind);

// The kind's name in JSON error objects: "usage", "auth", "not_found", ...
const char* kind_name(ErrorKind kind);

// The exit status of a run ended by a signal (SIGINT: 130, SIGTERM: 143); 128 + the signal's
// number for the others.
int signal_exit_code(int signal_number);

// The "Exit status: ..." paragraph of `aktoken --help`, every status of the table.
std::string exit_status_help();

// Prints an error as `aktoken: error: ...` lines (one per field message of a 400), or as one
// JSON object `{"error": {...}}` when `json` is set.
void report(std::ostream& err, const Error& error, bool json, bool color);

// The same with the exit status shown in JSON chosen by the caller (`check` exits 3 on any error).
void report(std::ostream& err, const Error& error, bool json, bool color, int shown_exit_code);

}  // namespace aktoken::cli

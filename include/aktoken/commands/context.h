// SPDX-License-Identifier: MIT
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "aktoken/api/client.h"
#include "aktoken/output/render.h"
#include "aktoken/util/error.h"

namespace aktoken::commands {

// Everything a command needs from the outside world; commands write only to these streams.
struct Context {
    api::Client& client;
    output::Format format;
    output::Style style;
    std::ostream& out;
    std::ostream& err;
    bool err_color = false;
    // Opens clients with connections of their own for --parallel; empty: one at a time.
    api::SessionFactory sessions = {};
    int parallel = 1;
};

// What a command reports: the failures it went on past (a command that cannot go on throws
// instead) and an exit status of its own (check's 0, 1 or 2); the run exits with the worst.
struct Result {
    std::vector<Error> errors;
    int status = 0;
};

// Prints `aktoken: warning: ...` on the context's error stream.
void warn(Context& context, std::string_view message);

// Prints `aktoken: note: ...` on the context's error stream.
void note(Context& context, std::string_view message);

}  // namespace aktoken::commands

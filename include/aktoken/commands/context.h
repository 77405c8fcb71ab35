// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
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
    // Prints a failure as the run prints its errors (text or JSON) on the given stream; set by
    // the CLI. Empty: failures the command goes on past are kept for the end (see go_on_past).
    std::function<void(std::ostream&, const Error&)> report_error = {};
    // --quiet: no notes, and no rows that report nothing done (rotate's skipped tokens), so that a
    // cron job's mail stays empty when all is well. Warnings and errors still print.
    bool quiet = false;
};

// What a command reports: the failures it went on past (a command that cannot go on throws
// instead) and an exit status of its own (check's 0, 1 or 2); the run exits with the worst.
struct Result {
    std::vector<Error> errors;
    // The kinds of the failures already reported in place (go_on_past): they count for the exit
    // status as `errors` do.
    std::vector<ErrorKind> reported;
    int status = 0;
};

// A failure the command goes on past: reported at once on the context's error stream, in its
// place among the items' output, when the run gave a reporter, so that a bulk command over a
// million identifiers keeps no million errors; kept in the result otherwise.
void go_on_past(Context& context, Result& result, Error error);

// Prints `aktoken: warning: ...` on the context's error stream.
void warn(Context& context, std::string_view message);

// Prints `aktoken: note: ...` on the context's error stream, unless the run is quiet.
void note(Context& context, std::string_view message);

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#include "aktoken/commands/context.h"

#include <algorithm>

#include "aktoken/output/list.h"

namespace aktoken::commands {

// Messages may carry the server's words (a managed marker, an expiry): escaped like errors.
void warn(Context& context, std::string_view message) {
    context.err << "aktoken: " << output::paint("warning:", 33, context.err_color) << ' '
                << output::escape_cell(message) << '\n';
}

// Notes say what went as expected; warnings say what may not have, and stay under --quiet.
void note(Context& context, std::string_view message) {
    if (context.quiet) {
        return;
    }
    context.err << "aktoken: note: " << output::escape_cell(message) << '\n';
}

void go_on_past(Context& context, Result& result, Error error) {
    if (!context.report_error) {
        result.errors.push_back(std::move(error));
        return;
    }
    context.report_error(context.err, error);
    if (std::find(result.reported.begin(), result.reported.end(), error.kind()) == result.reported.end()) {
        result.reported.push_back(error.kind());
    }
}

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#include "aktoken/commands/context.h"

#include "aktoken/output/list.h"

namespace aktoken::commands {

// Messages may carry the server's words (a managed marker, an expiry): escaped like errors.
void warn(Context& context, std::string_view message) {
    context.err << "aktoken: " << output::paint("warning:", 33, context.err_color) << ' '
                << output::escape_cell(message) << '\n';
}

void note(Context& context, std::string_view message) {
    context.err << "aktoken: note: " << output::escape_cell(message) << '\n';
}

}  // namespace aktoken::commands

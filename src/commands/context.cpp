// SPDX-License-Identifier: MIT
#include "aktoken/commands/context.h"

namespace aktoken::commands {

void warn(Context& context, std::string_view message) {
    context.err << "aktoken: " << output::paint("warning:", 33, context.err_color) << ' ' << message << '\n';
}

void note(Context& context, std::string_view message) { context.err << "aktoken: note: " << message << '\n'; }

}  // namespace aktoken::commands

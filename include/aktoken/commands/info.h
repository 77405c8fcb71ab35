// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// `aktoken used-by`: the objects that reference a token, as APP, MODEL, NAME, ACTION or JSON.
Result run_used_by(Context& context, const std::string& identifier);

// `aktoken whoami`: who the token belongs to, and the URL that was asked; exit 0 proves that
// the URL and the token work.
Result run_whoami(Context& context);

}  // namespace aktoken::commands

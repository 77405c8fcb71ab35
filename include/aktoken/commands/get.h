// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <vector>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// `aktoken get IDENTIFIER...`: reads each token and prints them; a token that cannot be read
// is reported and the others are still printed.
Result run_get(Context& context, const std::vector<std::string>& identifiers);

// The tokens printed as the context's format asks: one JSON object for a single identifier,
// an array for several.
void print_tokens(Context& context, const std::vector<model::Token>& tokens, bool several);

}  // namespace aktoken::commands

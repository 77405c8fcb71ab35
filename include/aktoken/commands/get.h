// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// Reads tokens with GET on context.parallel workers, in input order. When `errors` is given,
// a token that cannot be read is left empty and its error collected (errors that concern the
// whole run, such as authentication, still throw); without it the first failure throws.
std::vector<std::optional<model::Token>> fetch_tokens(Context& context, const std::vector<std::string>& identifiers,
                                                      std::vector<Error>* errors);

// Whether an error concerns one item of a bulk command only, so that the others may go on.
bool item_error(const Error& error);

// `aktoken get IDENTIFIER...`: reads each token and prints them; a token that cannot be read
// is reported and the others are still printed.
Result run_get(Context& context, const std::vector<std::string>& identifiers);

// The tokens printed as the context's format asks: one JSON object for a single identifier,
// an array for several.
void print_tokens(Context& context, const std::vector<model::Token>& tokens, bool several);

}  // namespace aktoken::commands

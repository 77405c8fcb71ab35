// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aktoken/commands/context.h"

namespace aktoken::commands {

// A token read with GET, or the failure that concerns it alone (not found, permission, ...).
struct Fetched {
    std::optional<model::Token> token;
    std::optional<Error> failure;
};

// Reads tokens with GET on context.parallel workers and hands each to `consume` in input order,
// on the calling thread, as soon as the earlier ones are done; only the window of tokens ahead of
// `consume` is held at once. A failure that concerns the whole run (authentication, say) throws.
void fetch_in_order(Context& context, const std::vector<std::string>& identifiers,
                    const std::function<void(std::size_t, Fetched&)>& consume);

// Whether an error concerns one item of a bulk command only, so that the others may go on.
bool item_error(const Error& error);

// `aktoken get IDENTIFIER...`: reads each token and prints them; a token that cannot be read
// is reported and the others are still printed.
Result run_get(Context& context, const std::vector<std::string>& identifiers);

// Prints a token with the writer; throws Error(server) once the writer keeps more than
// kMaxKeptListingBytes (wide aligns its columns at the end).
void print_token(Context& context, output::TokenWriter& writer, const model::Token& token);

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#include "aktoken/commands/get.h"

#include "aktoken/output/list.h"

namespace aktoken::commands {

void print_tokens(Context& context, const std::vector<model::Token>& tokens, bool several) {
    switch (context.format) {
        case output::Format::json:
            context.out << output::tokens_json(tokens, several);
            break;
        case output::Format::table:
            context.out << output::token_blocks(tokens, context.style);
            break;
        default: {
            output::ListOptions options;
            options.format = context.format;
            options.style = context.style;
            output::ListWriter writer(options);
            context.out << writer.add(tokens) << writer.finish();
            break;
        }
    }
}

Result run_get(Context& context, const std::vector<std::string>& identifiers) {
    Result result;
    std::vector<model::Token> tokens;
    for (const std::string& identifier : identifiers) {
        try {
            tokens.push_back(context.client.get_token(identifier));
        } catch (const Error& e) {
            // Only answers about this one token are worth going on past.
            if (e.kind() != ErrorKind::not_found && e.kind() != ErrorKind::permission) {
                throw;
            }
            result.errors.push_back(e);
        }
    }
    print_tokens(context, tokens, identifiers.size() > 1);
    return result;
}

}  // namespace aktoken::commands

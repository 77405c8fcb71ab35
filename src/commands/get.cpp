// SPDX-License-Identifier: MIT
#include "aktoken/commands/get.h"

#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "commands/specs.h"

namespace aktoken::commands {

void print_tokens(Context& context, const std::vector<model::Token>& tokens, bool several) {
    context.out << output::render_tokens(tokens, several, context.format, context.style);
}

bool item_error(const Error& error) {
    return error.kind() != ErrorKind::auth && error.kind() != ErrorKind::config && error.kind() != ErrorKind::usage &&
           error.kind() != ErrorKind::internal;
}

std::vector<std::optional<model::Token>> fetch_tokens(Context& context, const std::vector<std::string>& identifiers,
                                                      std::vector<Error>* errors) {
    std::vector<std::optional<model::Token>> tokens(identifiers.size());
    std::vector<std::optional<Error>> failures(identifiers.size());
    run_in_order(context, identifiers.size(), [&](std::size_t index, Context& item) {
        try {
            tokens[index] = item.client.get_token(identifiers[index]);
        } catch (const Error& e) {
            if (errors == nullptr || !item_error(e)) {
                throw;
            }
            failures[index] = identifiers.size() > 1 ? about_token(e, identifiers[index]) : e;
        }
    });
    if (errors != nullptr) {
        for (std::optional<Error>& failure : failures) {
            if (failure) {
                errors->push_back(std::move(*failure));
            }
        }
    }
    return tokens;
}

Result run_get(Context& context, const std::vector<std::string>& identifiers) {
    Result result;
    std::vector<model::Token> tokens;
    for (std::optional<model::Token>& token : fetch_tokens(context, identifiers, &result.errors)) {
        if (token) {
            tokens.push_back(std::move(*token));
        }
    }
    print_tokens(context, tokens, identifiers.size() > 1);
    return result;
}

namespace {

class GetCommand final : public Command {
public:
    void define(Arguments& arguments) override { bulk_.define(arguments); }
    void prepare(const Preparation& preparation) override { bulk_.collect(preparation); }
    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override { return run_get(context, bulk_.identifiers); }

private:
    BulkArguments bulk_;
};

}  // namespace

const CommandSpec get_command{"get", "Show tokens", R"TXT(Examples:
  aktoken get ci-deploy
  aktoken get ci-deploy backup-job -o json
  aktoken get ci-deploy -o tsv)TXT",
                              Phase::client, make_command<GetCommand>};

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#include "aktoken/commands/delete.h"

#include <fmt/format.h>

#include "aktoken/commands/get.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/output/list.h"
#include "aktoken/output/records.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

std::string owner_of(const model::Token& token) {
    return token.user_obj ? output::escape_cell(token.user_obj->username) : fmt::format("user {}", token.user);
}

// Shows what is about to go and asks; returns the identifiers still to delete (those that exist).
std::vector<std::string> confirm(Context& context, const std::vector<std::string>& identifiers,
                                 const DeleteOptions& options, Result& result) {
    std::vector<std::string> to_delete;
    for (const std::string& identifier : identifiers) {
        try {
            model::Token token = context.client.get_token(identifier);
            std::vector<model::UsedBy> used_by = context.client.used_by(identifier);
            // The question is only as good as what it shows: every word from the server is escaped,
            // so that none can rewrite the line into another token's.
            context.err << fmt::format("token {} (intent {}, owner {})\n", util::quoted(identifier),
                                       output::escape_cell(token.intent), owner_of(token));
            for (const model::UsedBy& use : used_by) {
                context.err << fmt::format("  used by {} {} {}: authentik will {}\n", output::escape_cell(use.app),
                                           output::escape_cell(use.model_name), util::quoted(use.name),
                                           use.action == "cascade" || use.action == "cascade_many"
                                               ? "delete it too"
                                               : "apply " + output::escape_cell(use.action));
            }
            to_delete.push_back(identifier);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found && options.ignore_missing) {
                continue;
            }
            if (e.kind() != ErrorKind::not_found && e.kind() != ErrorKind::permission) {
                throw;
            }
            result.errors.push_back(identifiers.size() > 1 ? about_token(e, identifier) : e);
        }
    }
    if (to_delete.empty()) {
        return to_delete;
    }
    context.err << fmt::format("Delete {} {}? [y/N] ", to_delete.size(), to_delete.size() == 1 ? "token" : "tokens");
    context.err.flush();
    std::string answer;
    std::getline(*options.answers, answer);
    answer = util::to_lower(util::trim(answer));
    if (answer != "y" && answer != "yes") {
        throw Error(ErrorKind::usage, "not confirmed: nothing was deleted");
    }
    return to_delete;
}

}  // namespace

void check_confirmation_possible(const DeleteOptions& options) {
    if (!options.yes && !options.stdin_is_terminal) {
        throw Error(ErrorKind::usage,
                    "refusing to delete without confirmation: standard input is not a terminal; pass --yes");
    }
}

Result run_delete(Context& context, const std::vector<std::string>& identifiers, const DeleteOptions& options) {
    Result result;
    // Not a copy with --yes: a million identifiers are enough to hold once.
    const std::vector<std::string> confirmed =
        options.yes ? std::vector<std::string>{} : confirm(context, identifiers, options, result);
    const std::vector<std::string>& to_delete = options.yes ? identifiers : confirmed;
    output::View view;
    view.text = output::View::Text::lines;
    view.line_field = "line";
    view.id_field = "identifier";
    output::RecordWriter writer(context.format, context.style, view);
    // Each deletion's line, or why it failed.
    struct Outcome {
        std::optional<output::Record> record;
        std::optional<Error> failure;
    };
    const std::function<Outcome(std::size_t, Context&)> work = [&](std::size_t index, Context& item) {
        const std::string& identifier = to_delete[index];
        std::string outcome = "deleted";
        try {
            item.client.delete_token(identifier);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found && options.ignore_missing) {
                outcome = "absent";
            } else if (item_error(e)) {
                return Outcome{std::nullopt, identifiers.size() > 1 ? about_token(e, identifier) : e};
            } else {
                throw;
            }
        }
        output::Record record;
        record.add("identifier", output::Value::string(identifier));
        record.add("result", output::Value::string(outcome));
        record.add_text("line", fmt::format("{} {}", outcome, identifier));
        return Outcome{std::move(record), std::nullopt};
    };
    // Printed in input order as the deletions finish.
    const std::function<void(std::size_t, Outcome&)> print = [&](std::size_t, Outcome& outcome) {
        if (outcome.failure) {
            go_on_past(context, result, std::move(*outcome.failure));
        } else {
            context.out << writer.add(*outcome.record);
        }
    };
    run_in_order_with(context, to_delete.size(), work, print);
    context.out << writer.finish();
    return result;
}

namespace {

class DeleteCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        bulk_.define(arguments);
        arguments.flag("-y,--yes", yes_, "Do not ask for confirmation");
        arguments.flag("--ignore-missing", ignore_missing_, "A token that does not exist counts as deleted");
    }

    void prepare(const Preparation& preparation) override {
        bulk_.collect(preparation);
        options_ = {yes_, ignore_missing_, preparation.stdin_is_terminal, &preparation.in};
        check_confirmation_possible(options_);
    }

    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override { return run_delete(context, bulk_.identifiers, options_); }

private:
    BulkArguments bulk_;
    bool yes_ = false;
    bool ignore_missing_ = false;
    DeleteOptions options_;
};

}  // namespace

const CommandSpec delete_command{"delete", "Delete tokens",
                                 R"TXT(On a terminal, aktoken names each token and what authentik deletes with it, then
asks. Scripts pass --yes.

Examples:
  aktoken delete old-token
  aktoken delete --yes --ignore-missing ci-tmp-1 ci-tmp-2)TXT",
                                 Phase::client, make_command<DeleteCommand>};

}  // namespace aktoken::commands

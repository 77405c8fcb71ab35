// SPDX-License-Identifier: MIT
#include "aktoken/commands/delete.h"

#include <fmt/format.h>

#include "aktoken/commands/get.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/json/codec.h"
#include "aktoken/util/strings.h"

namespace aktoken::commands {
namespace {

std::string owner_of(const model::Token& token) {
    return token.user_obj ? token.user_obj->username : fmt::format("user {}", token.user);
}

// Shows what is about to go and asks; returns the identifiers still to delete (those that exist).
std::vector<std::string> confirm(Context& context, const std::vector<std::string>& identifiers,
                                 const DeleteOptions& options, Result& result) {
    std::vector<std::string> to_delete;
    for (const std::string& identifier : identifiers) {
        try {
            model::Token token = context.client.get_token(identifier);
            std::vector<model::UsedBy> used_by = context.client.used_by(identifier);
            context.err << fmt::format("token {} (intent {}, owner {})\n", quoted(identifier), token.intent,
                                       owner_of(token));
            for (const model::UsedBy& use : used_by) {
                context.err << fmt::format("  used by {} {} {}: authentik will {}\n", use.app, use.model_name,
                                           quoted(use.name),
                                           use.action == "cascade" || use.action == "cascade_many"
                                               ? "delete it too"
                                               : "apply " + use.action);
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
    std::vector<std::string> to_delete = options.yes ? identifiers : confirm(context, identifiers, options, result);
    const bool json_output = context.format == output::Format::json || context.format == output::Format::jsonl;
    std::vector<std::optional<std::string>> json_items(to_delete.size());
    std::vector<std::optional<Error>> failures(to_delete.size());
    run_in_order(context, to_delete.size(), [&](std::size_t index, Context& item) {
        const std::string& identifier = to_delete[index];
        std::string outcome = "deleted";
        try {
            item.client.delete_token(identifier);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found && options.ignore_missing) {
                outcome = "absent";
            } else if (item_error(e)) {
                failures[index] = identifiers.size() > 1 ? about_token(e, identifier) : e;
                return;
            } else {
                throw;
            }
        }
        if (json_output) {
            json_items[index] = fmt::format(R"({{"identifier":{},"result":"{}"}})", json::quote(identifier), outcome);
        } else if (item.format == output::Format::id) {
            item.out << identifier << '\n';
        } else {
            item.out << fmt::format("{} {}\n", outcome, identifier);
        }
    });
    std::vector<std::string> items;
    for (std::size_t index = 0; index < to_delete.size(); ++index) {
        if (failures[index]) {
            result.errors.push_back(std::move(*failures[index]));
        }
        if (json_items[index]) {
            items.push_back(std::move(*json_items[index]));
        }
    }
    if (context.format == output::Format::json) {
        context.out << json::pretty_array(items) << '\n';
    } else if (context.format == output::Format::jsonl) {
        for (const std::string& item : items) {
            context.out << item << '\n';
        }
    }
    return result;
}

}  // namespace aktoken::commands

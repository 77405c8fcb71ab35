// SPDX-License-Identifier: MIT
#include "aktoken/commands/delete.h"

#include <fmt/format.h>

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
            result.errors.push_back(e);
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
    std::vector<std::string> json_items;
    for (const std::string& identifier : to_delete) {
        std::string outcome = "deleted";
        try {
            context.client.delete_token(identifier);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found && options.ignore_missing) {
                outcome = "absent";
            } else if (e.kind() == ErrorKind::not_found || e.kind() == ErrorKind::permission) {
                result.errors.push_back(e);
                continue;
            } else {
                throw;
            }
        }
        if (context.format == output::Format::json || context.format == output::Format::jsonl) {
            json_items.push_back(
                fmt::format(R"({{"identifier":{},"result":"{}"}})", json::quote(identifier), outcome));
        } else if (context.format == output::Format::id) {
            context.out << identifier << '\n';
        } else {
            context.out << fmt::format("{} {}\n", outcome, identifier);
        }
    }
    if (context.format == output::Format::json) {
        context.out << json::pretty_array(json_items) << '\n';
    } else if (context.format == output::Format::jsonl) {
        for (const std::string& item : json_items) {
            context.out << item << '\n';
        }
    }
    return result;
}

}  // namespace aktoken::commands

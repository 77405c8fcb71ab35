// SPDX-License-Identifier: MIT
#include "aktoken/commands/delete.h"

#include <fmt/format.h>

#include <cstdint>
#include <optional>

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

// What the question found out about one identifier before anything was deleted.
struct Checked {
    enum class State { to_delete, absent, failed };
    State state = State::to_delete;
    std::string reason;  // failed: why (already reported)
};

// Whether aktoken authenticates with `token`: only an api token of the caller can be the one, and
// only its key can tell. The key comes from the server; aktoken's own key goes nowhere new.
class OwnToken {
public:
    explicit OwnToken(Context& context) : context_(context) {}

    bool is(const std::string& identifier, const model::Token& token) {
        if (token.intent != "api") {
            return false;
        }
        try {
            if (caller_ == 0) {
                caller_ = context_.client.me().pk;
            }
            if (token.user != caller_) {
                return false;
            }
            const util::Secret key = context_.client.view_key(identifier);
            return context_.client.authenticates_with(key.view());
        } catch (const Error& e) {
            // Without view_token_key the keys cannot be compared: the question goes on without.
            if (!item_error(e)) {
                throw;
            }
            return false;
        }
    }

private:
    Context& context_;
    std::int64_t caller_ = 0;  // the caller's pk, once asked (pks start at 1)
};

// Shows each token, what goes with it and what to know before it goes.
void describe(Context& context, const std::string& identifier, const model::Token& token,
              const std::vector<model::UsedBy>& used_by, OwnToken& own) {
    // The question is only as good as what it shows: the identifier is the one asked for, and
    // every word from the server is escaped, so that none can rewrite the line into another
    // token's.
    context.err << fmt::format("token {} (intent {}, owner {})\n", util::quoted(identifier),
                               output::escape_cell(token.intent), owner_of(token));
    if (token.managed) {
        context.err << fmt::format("  managed by authentik ({}): authentik may re-create it (outpost tokens)\n",
                                   util::quoted(*token.managed));
    }
    for (const model::UsedBy& use : used_by) {
        context.err << fmt::format("  used by {} {} {}: authentik will {}\n", output::escape_cell(use.app),
                                   output::escape_cell(use.model_name), util::quoted(use.name),
                                   use.action == "cascade" || use.action == "cascade_many"
                                       ? "delete it too"
                                       : "apply " + output::escape_cell(use.action));
    }
    if (own.is(identifier, token)) {
        context.err << fmt::format("  {} this is the token aktoken authenticates with: its key stops working\n",
                                   output::paint("warning:", 33, context.err_color));
    }
}

// Shows what is about to go and asks; returns what became of each identifier, or nullopt when
// the answer was no.
std::optional<std::vector<Checked>> confirm(Context& context, const std::vector<std::string>& identifiers,
                                            const DeleteOptions& options, Result& result) {
    std::vector<Checked> checked(identifiers.size());
    std::size_t to_delete = 0;
    OwnToken own(context);
    for (std::size_t index = 0; index < identifiers.size(); ++index) {
        const std::string& identifier = identifiers[index];
        try {
            const model::Token token = context.client.get_token(identifier);
            describe(context, identifier, token, context.client.used_by(identifier), own);
            ++to_delete;
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found && options.ignore_missing) {
                checked[index].state = Checked::State::absent;
                continue;
            }
            if (e.kind() != ErrorKind::not_found && e.kind() != ErrorKind::permission) {
                throw;
            }
            checked[index] = {Checked::State::failed, e.what()};
            go_on_past(context, result, identifiers.size() > 1 ? about_token(e, identifier) : e);
        }
    }
    if (to_delete == 0) {
        return checked;
    }
    context.err << fmt::format("Delete {} {}? [y/N] ", to_delete, to_delete == 1 ? "token" : "tokens");
    context.err.flush();
    std::string answer;
    std::getline(*options.answers, answer);
    answer = util::to_lower(util::trim(answer));
    if (answer != "y" && answer != "yes") {
        return std::nullopt;
    }
    return checked;
}

output::Record record_of(const std::string& identifier, std::string_view outcome, const std::string& reason = {}) {
    output::Record record;
    record.add("identifier", output::Value::string(identifier));
    record.add("result", output::Value::string(std::string(outcome)));
    if (!reason.empty()) {
        record.add("reason", output::Value::string(reason));
    }
    record.add_text("line", fmt::format("{} {}", outcome, identifier));
    return record;
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
    output::View view;
    view.text = output::View::Text::lines;
    view.line_field = "line";
    view.id_field = "identifier";
    output::RecordWriter writer(context.format, context.style, view);
    // Nothing is asked with --yes, so nothing is read first: a million identifiers cost no
    // million entries here.
    std::vector<Checked> checked;
    if (!options.yes) {
        std::optional<std::vector<Checked>> answer = confirm(context, identifiers, options, result);
        if (!answer) {
            context.err << "aktoken: nothing deleted\n";
            context.out << writer.finish();
            return result;
        }
        checked = std::move(*answer);
    }
    // Each deletion's record, and why it failed.
    struct Outcome {
        output::Record record;
        std::optional<Error> failure;
    };
    const std::function<Outcome(std::size_t, Context&)> work = [&](std::size_t index, Context& item) {
        const std::string& identifier = identifiers[index];
        if (!checked.empty() && checked[index].state == Checked::State::absent) {
            return Outcome{record_of(identifier, "absent"), std::nullopt};
        }
        if (!checked.empty() && checked[index].state == Checked::State::failed) {
            return Outcome{record_of(identifier, "failed", checked[index].reason), std::nullopt};
        }
        try {
            item.client.delete_token(identifier);
        } catch (const Error& e) {
            if (e.kind() == ErrorKind::not_found && options.ignore_missing) {
                return Outcome{record_of(identifier, "absent"), std::nullopt};
            }
            if (!item_error(e)) {
                throw;
            }
            return Outcome{record_of(identifier, "failed", e.what()),
                           identifiers.size() > 1 ? about_token(e, identifier) : e};
        }
        return Outcome{record_of(identifier, "deleted"), std::nullopt};
    };
    // Printed in input order as the deletions finish; a failure also in its place on stderr.
    const std::function<void(std::size_t, Outcome&)> print = [&](std::size_t, Outcome& outcome) {
        if (outcome.failure) {
            go_on_past(context, result, std::move(*outcome.failure));
        }
        context.out << writer.add(outcome.record);
    };
    run_in_order_with(context, identifiers.size(), work, print);
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
    Result run(Context& context) override {
        return bulk_.nothing_to_do() ? nothing_to_do(context, bulk_) : run_delete(context, bulk_.identifiers, options_);
    }

private:
    BulkArguments bulk_;
    bool yes_ = false;
    bool ignore_missing_ = false;
    DeleteOptions options_;
};

}  // namespace

constexpr output::Format kDeleteFormats[] = {output::Format::table, output::Format::json, output::Format::jsonl,
                                             output::Format::id};

const CommandSpec delete_command{"delete",
                                 "Delete tokens",
                                 R"TXT(On a terminal, aktoken names each token, what authentik deletes with it, whether
authentik manages it (and may re-create it) and whether it is the token aktoken
authenticates with (compared by key, read with view_key), then asks. Answering
anything but y deletes nothing and exits 0 ("nothing deleted"). Scripts pass --yes.
Each token is reported, in order: deleted, absent (--ignore-missing) or failed
(with json and jsonl, a "reason"); each failure is also an error on stderr.
Formats: table, json, jsonl, id.

Examples:
  aktoken delete old-token
  aktoken delete --yes --ignore-missing ci-tmp-1 ci-tmp-2)TXT",
                                 Phase::client,
                                 make_command<DeleteCommand>,
                                 0,
                                 kDeleteFormats};

}  // namespace aktoken::commands

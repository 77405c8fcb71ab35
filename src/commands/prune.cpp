// SPDX-License-Identifier: MIT
#include "aktoken/commands/prune.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "aktoken/commands/get.h"
#include "aktoken/commands/list.h"
#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/model/generations.h"
#include "aktoken/output/records.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

constexpr std::string_view kDeleted = "deleted";
constexpr std::string_view kWouldDelete = "would delete";
constexpr std::string_view kKept = "kept";
constexpr std::string_view kFailed = "failed";

// From this many named tokens on, one listing of every retired generation (filtered here) costs
// fewer requests than one listing per token.
constexpr std::size_t kOneListingFrom = kListedInsteadOfGetsFrom;

// Every token whose identifier `search` finds (a substring of identifier, intent, username or
// description) and that is a retired generation by its name.
void list_retired(Context& context, const std::string& search, std::vector<model::Token>& found) {
    ListFlags flags;
    flags.search = search;
    const ListPlan plan = plan_list(flags);
    for_each_listed_page(context, plan, context.style.now, [&](std::vector<model::Token>& page) {
        for (model::Token& token : page) {
            const auto generation = model::parse_generation(token.identifier);
            if (generation && generation->kind == model::GenerationKind::retired) {
                found.push_back(std::move(token));
            }
        }
    });
}

// Why a generation is deleted or kept: when its overlap ends, relative to now.
std::string timing(const Retired& retired, util::Timestamp now) {
    const std::string relative = util::format_relative_plain(retired.until, now);
    return retired.until <= now ? fmt::format("overlap ended {}", relative) : fmt::format("overlap ends {}", relative);
}

output::Record record_of(const Retired& retired, std::string_view result, const std::string& reason) {
    output::Record record;
    record.add("identifier", output::Value::string(retired.identifier));
    record.add("of", output::Value::string(retired.base));
    record.add("until", output::Value::string(util::format_timestamp(retired.until)));
    record.add("result", output::Value::string(std::string(result)));
    record.add("reason", reason.empty() ? output::Value::null() : output::Value::string(reason));
    return record;
}

}  // namespace

PrunePlan plan_prune(const std::vector<std::string>& identifiers, bool dry_run) {
    check_identifiers(identifiers);
    for (const std::string& identifier : identifiers) {
        const auto generation = model::parse_generation(identifier);
        if (generation && generation->kind == model::GenerationKind::retired) {
            throw Error(
                ErrorKind::usage,
                fmt::format("IDENTIFIER: {} is a retired generation of {}: name the token, {}",
                            util::quoted(identifier), util::quoted(generation->base), util::quoted(generation->base)));
        }
    }
    return {identifiers, dry_run};
}

std::vector<Retired> retired_among(const std::vector<model::Token>& tokens, const std::vector<std::string>& of) {
    std::unordered_map<std::string_view, std::size_t> position;
    for (std::size_t index = 0; index < of.size(); ++index) {
        position.emplace(of[index], index);
    }
    std::vector<std::pair<std::size_t, Retired>> found;
    for (const model::Token& token : tokens) {
        const auto generation = model::parse_generation(token.identifier);
        if (!generation || generation->kind != model::GenerationKind::retired) {
            continue;
        }
        std::size_t at = 0;
        if (!of.empty()) {
            const auto named = position.find(generation->base);
            if (named == position.end()) {
                continue;
            }
            at = named->second;
        }
        found.emplace_back(at, Retired{token.identifier, generation->base, generation->time});
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Retired> retired;
    retired.reserve(found.size());
    for (auto& [at, one] : found) {
        retired.push_back(std::move(one));
    }
    return retired;
}

std::string prune_decision(const Retired& retired, util::Timestamp now, bool dry_run) {
    if (retired.until > now) {
        return std::string(kKept);
    }
    return std::string(dry_run ? kWouldDelete : kDeleted);
}

Result run_prune(Context& context, const PrunePlan& plan) {
    const util::Timestamp now = context.style.now;
    // The names are the only record of a rotation: a search finds the candidates, the name decides.
    std::vector<model::Token> listed;
    if (plan.identifiers.empty() || plan.identifiers.size() >= kOneListingFrom) {
        list_retired(context, std::string(model::kRetiredInfix), listed);
    } else {
        for (const std::string& identifier : plan.identifiers) {
            list_retired(context, identifier + std::string(model::kRetiredInfix), listed);
        }
    }
    const std::vector<Retired> found = retired_among(listed, plan.identifiers);
    listed.clear();

    Result result;
    output::View view;
    view.columns = {
        {"identifier", "identifier"}, {"of", "of"}, {"until", "until"}, {"result", "result"}, {"reason", "reason"}};
    view.tsv = true;
    view.id_field = "identifier";
    output::RecordWriter writer(context.format, context.style, view);
    struct Outcome {
        output::Record record;
        std::optional<Error> failure;
        bool kept = false;
    };
    const std::function<Outcome(std::size_t, Context&)> work = [&](std::size_t index, Context& item) {
        const Retired& retired = found[index];
        const std::string decision = prune_decision(retired, now, plan.dry_run);
        const std::string reason = timing(retired, now);
        if (decision != kDeleted) {
            return Outcome{record_of(retired, decision, reason), std::nullopt, decision == kKept};
        }
        try {
            item.client.delete_token(retired.identifier);
        } catch (const Error& e) {
            // Pruned meanwhile by another run, or an app password deleted by authentik's
            // housekeeping once its expiry (the until-time) passed: gone either way.
            if (e.kind() == ErrorKind::not_found) {
                return Outcome{record_of(retired, kDeleted, reason + "; already gone"), std::nullopt};
            }
            if (!item_error(e)) {
                throw;
            }
            return Outcome{record_of(retired, kFailed, e.what()), about_token(e, retired.identifier)};
        }
        return Outcome{record_of(retired, kDeleted, reason), std::nullopt};
    };
    // Printed in order as the deletions finish; a failure also in its place on stderr.
    const std::function<void(std::size_t, Outcome&)> print = [&](std::size_t, Outcome& outcome) {
        if (outcome.failure) {
            go_on_past(context, result, std::move(*outcome.failure));
        }
        // --quiet: a nightly run that deleted nothing prints nothing (cron mails no output).
        if (!(context.quiet && outcome.kept)) {
            context.out << writer.add(outcome.record);
        }
    };
    run_in_order_with(context, found.size(), work, print);
    context.out << writer.finish();
    if (found.empty() && context.style.terminal) {
        note(context, "no retired generations found");
    }
    return result;
}

namespace {

class PruneCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        bulk_.define(arguments, true, "Delete N generations at once, 1 to 16 (default 4)");
        arguments.flag("--dry-run", dry_run_, "Show what would be deleted; delete nothing");
    }

    void prepare(const Preparation& preparation) override {
        bulk_.collect(preparation, false);
        plan_ = plan_prune(bulk_.identifiers, dry_run_);
    }

    int parallel() const override { return bulk_.parallel; }
    Result run(Context& context) override {
        return bulk_.nothing_to_do() ? nothing_to_do(context, bulk_) : run_prune(context, plan_);
    }

private:
    BulkArguments bulk_;
    bool dry_run_ = false;
    PrunePlan plan_;
};

}  // namespace

const CommandSpec prune_command{"prune", "Delete retired generations whose overlap has ended",
                                R"TXT(rotate --overlap leaves the old token as ID--retired-until-YYYYMMDDTHHMMZ, its key
working until then. prune deletes every such generation whose until-time has passed:
all those visible to the caller, or with IDENTIFIERs (or --from-file) only those of
these tokens. The others are kept and shown with the time left (--quiet leaves them
out, so a cron job that deleted nothing prints nothing). One that is already gone
(404) counts as deleted. Each generation is reported, in order: deleted, would
delete (--dry-run), kept or failed; each failure is also an error on stderr and the
others go on. Columns: identifier, of (its token), until, result, reason.
Formats: table, wide, json, jsonl, tsv, id.

Examples:
  aktoken prune
  aktoken prune ci-deploy --dry-run
  aktoken -q prune -o tsv)TXT",
                                Phase::client, make_command<PruneCommand>};

}  // namespace aktoken::commands

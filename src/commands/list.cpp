// SPDX-License-Identifier: MIT
#include "aktoken/commands/list.h"

#include <fmt/format.h>

#include <optional>
#include <unordered_set>

#include "aktoken/commands/parallel.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {
namespace {

constexpr std::int64_t kPageSize = 100;

void check_ordering(const std::string& ordering) {
    const std::string valid = fmt::format("{}", fmt::join(kOrderingFields, ", "));
    for (const std::string& part : util::split(ordering, ',')) {
        std::string_view field = util::trim(part);
        if (!field.empty() && field.front() == '-') {
            field.remove_prefix(1);
        }
        bool known = false;
        for (const char* name : kOrderingFields) {
            known = known || field == name;
        }
        if (!known) {
            util::invalid_value("--ordering", ordering,
                                fmt::format("unknown field {} (valid: {}; '-' before a field sorts descending)",
                                            util::quoted(field), valid));
        }
    }
}

// authentik pages with LIMIT/OFFSET and PostgreSQL gives equal keys no fixed order, so pages read
// apart (in parallel, or while tokens change) can repeat or skip tokens that tie; a unique last
// key makes the order total.
std::string with_unique_tie_breaker(const std::string& ordering) {
    for (const std::string& part : util::split(ordering, ',')) {
        std::string_view field = util::trim(part);
        if (!field.empty() && field.front() == '-') {
            field.remove_prefix(1);
        }
        if (field == "identifier" || field == "pk") {
            return ordering;
        }
    }
    return ordering + ",identifier";
}

}  // namespace

std::optional<std::string>& ListFlags::field_filter(std::string_view name) {
    const auto fields = output::token_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == name) {
            return field_filters[i];
        }
    }
    throw Error(ErrorKind::internal, fmt::format("no token field {}", name));
}

void ListFlags::define(Arguments& arguments, bool with_columns) {
    const auto fields = output::token_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (!fields[i].filter.empty()) {
            arguments.option(fmt::format("--{}", fields[i].name), field_filters[i], fields[i].filter_help,
                             fields[i].filter_type);
        }
    }
    arguments.flag("--expiring", expiring, "Only tokens that expire");
    arguments.flag("--no-expiring", no_expiring, "Only tokens that do not expire");
    arguments.option("--search", search, "Substring of identifier, intent, username or description", "TEXT");
    arguments.option("--ordering", ordering, "Sort fields, comma separated, '-' for descending", "FIELDS");
    arguments.option("--expiring-within", expiring_within,
                     "Expiring tokens whose expiry is at most DURATION away (expired ones included)", "DURATION");
    arguments.flag("--expired", expired, "Only expiring tokens already past their expiry");
    arguments.option("--limit", limit, "Print at most N tokens", "N");
    if (with_columns) {
        arguments.option("--columns", columns, "Columns for table, wide and tsv", "A,B,C");
    }
    arguments.flag("--no-headers", no_headers, "No header line in table, wide and tsv");
}

std::optional<std::string> ListFlags::first_filter() const {
    const auto fields = output::token_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (field_filters[i]) {
            return fmt::format("--{}", fields[i].name);
        }
    }
    const std::pair<bool, std::string_view> others[] = {
        {expiring, "--expiring"},
        {no_expiring, "--no-expiring"},
        {search.has_value(), "--search"},
        {ordering.has_value(), "--ordering"},
        {expiring_within.has_value(), "--expiring-within"},
        {expired, "--expired"},
        {limit.has_value(), "--limit"},
    };
    for (const auto& [set, name] : others) {
        if (set) {
            return std::string(name);
        }
    }
    return std::nullopt;
}

ListPlan plan_list(const ListFlags& flags) {
    ListPlan plan;
    if (flags.expiring && flags.no_expiring) {
        throw Error(ErrorKind::usage, "--expiring and --no-expiring cannot be used together");
    }
    api::Query& query = plan.query;
    const auto fields = output::token_fields();
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::optional<std::string>& value = flags.field_filters[i];
        if (!value) {
            continue;
        }
        if (fields[i].name == "intent") {
            bool known = false;
            for (const char* intent : model::kIntents) {
                known = known || *value == intent;
            }
            if (!known) {
                util::invalid_value("--intent", *value, "expected verification, api, recovery or app_password");
            }
        }
        if (fields[i].name == "user") {
            UserRef user = user_ref("--user", *value);
            if (user.pk) {
                plan.user_pk = user.pk;
                continue;
            }
        }
        query.emplace_back(fields[i].filter, *value);
    }
    if (flags.expiring || flags.no_expiring) {
        query.emplace_back("expiring", flags.expiring ? "true" : "false");
    }
    if (flags.search) {
        query.emplace_back("search", *flags.search);
    }
    if (flags.ordering) {
        check_ordering(*flags.ordering);
        query.emplace_back("ordering", with_unique_tie_breaker(*flags.ordering));
    }
    if (flags.expiring_within) {
        plan.expiring_within = util::parse_duration(*flags.expiring_within);
        if (!plan.expiring_within) {
            util::invalid_value("--expiring-within", *flags.expiring_within, util::duration_expected);
        }
    }
    plan.expired = flags.expired;
    if (flags.limit) {
        std::string problem;
        plan.limit = util::parse_count(*flags.limit, {1, std::nullopt, "a positive integer"}, &problem);
        if (!plan.limit) {
            util::invalid_value("--limit", *flags.limit, problem);
        }
    }
    if (flags.columns) {
        plan.columns = output::parse_columns(*flags.columns);
    }
    plan.headers = !flags.no_headers;
    query.emplace_back("page_size", std::to_string(kPageSize));
    return plan;
}

bool passes_client_filters(const ListPlan& plan, const model::Token& token, util::Timestamp now) {
    if (plan.user_pk && token.user != *plan.user_pk) {
        return false;
    }
    if (plan.expiring_within) {
        if (!token.expiring || !token.expires || *token.expires > now + *plan.expiring_within) {
            return false;
        }
    }
    if (plan.expired) {
        if (!token.expiring || !token.expires || *token.expires > now) {
            return false;
        }
    }
    return true;
}

bool for_each_listed_page(Context& context, const ListPlan& plan, util::Timestamp now,
                          const std::function<void(std::vector<model::Token>&)>& on_page) {
    std::int64_t remaining = plan.limit.value_or(-1);
    std::size_t kept_bytes = 0;
    const auto deliver = [&](model::Page<model::Token>& page) {
        std::vector<model::Token> kept;
        for (model::Token& token : page.results) {
            if (remaining != 0 && passes_client_filters(plan, token, now)) {
                kept_bytes += kept_size(token);
                kept.push_back(std::move(token));
                remaining -= remaining > 0 ? 1 : 0;
            }
        }
        if (plan.max_kept_bytes && kept_bytes > *plan.max_kept_bytes) {
            throw Error(ErrorKind::server,
                        fmt::format("the token list exceeds {}, the most aktoken keeps of one listing; narrow it "
                                    "with filters",
                                    util::byte_size_text(*plan.max_kept_bytes)));
        }
        on_page(kept);
        return remaining != 0;
    };

    // Page 1 tells how many pages there are; the others then go out several at once.
    std::int64_t next = 0;
    std::int64_t total_pages = 0;
    context.client.list_token_pages(plan.query, 1, 1, [&](model::Page<model::Token>& first) {
        next = first.next;
        total_pages = first.total_pages;
        return deliver(first);
    });
    if (plan.max_pages && (total_pages > *plan.max_pages || (total_pages == 0 && next != 0))) {
        return false;
    }
    if (total_pages > 1 && next == 2) {
        if (remaining != 0) {
            context.client.list_token_pages(plan.query, 2, total_pages, deliver);
        }
        return true;
    }
    // No page count to plan with: follow `next`, one page at a time (the client makes sure each
    // `next` is the following page), no further than a claimed total would be allowed.
    std::int64_t page_number = next > 1 ? next : 0;
    while (page_number != 0 && remaining != 0) {
        if (page_number > api::kMaxListPages) {
            throw Error(ErrorKind::server, fmt::format("the token list goes on past page {}; aktoken follows at most "
                                                       "{} pages",
                                                       api::kMaxListPages, api::kMaxListPages));
        }
        std::int64_t following = 0;
        context.client.list_token_pages(plan.query, page_number, page_number, [&](model::Page<model::Token>& page) {
            following = page.next;
            return deliver(page);
        });
        // A server that answers `next` with the same or an earlier page would loop forever.
        page_number = following > page_number ? following : 0;
    }
    return true;
}

std::unordered_map<std::string, model::Token> list_named_tokens(Context& context,
                                                                const std::vector<std::string>& identifiers) {
    std::unordered_map<std::string, model::Token> listed;
    if (identifiers.size() < kListedInsteadOfGetsFrom) {
        return listed;
    }
    const std::unordered_set<std::string> named(identifiers.begin(), identifiers.end());
    ListPlan plan;
    plan.query.emplace_back("page_size", std::to_string(kPageSize));
    plan.max_pages = static_cast<std::int64_t>(identifiers.size()) / kListedInsteadOfGets;
    // Only the named tokens are kept, no more than the GETs would bring.
    plan.max_kept_bytes.reset();
    for_each_listed_page(context, plan, context.style.now, [&](std::vector<model::Token>& page) {
        for (model::Token& token : page) {
            if (named.count(token.identifier) != 0) {
                std::string identifier = token.identifier;
                listed.insert_or_assign(std::move(identifier), std::move(token));
            }
        }
    });
    return listed;
}

void note_left_out(Context& context, const std::vector<std::string>& left_out) {
    // A column that vanished without a word would read as a bug, or as a missing value.
    if (!left_out.empty()) {
        note(context,
             fmt::format("{} left out to fit {} columns; -o tsv or --columns shows {}", util::join(left_out, ", "),
                         context.style.width, left_out.size() == 1 ? "it" : "them"));
    }
}

Result run_list(Context& context, const ListPlan& plan) {
    output::ListOptions options;
    options.format = context.format;
    options.columns = plan.columns;
    options.headers = plan.headers;
    options.style = context.style;
    output::ListWriter writer(options);
    ListPlan streaming = plan;
    if (!writer.keeps_rows()) {
        streaming.max_kept_bytes.reset();
    }

    for_each_listed_page(context, streaming, context.style.now, [&](std::vector<model::Token>& kept) {
        context.out << writer.add_page(kept);
        context.out.flush();
    });
    context.out << writer.finish();
    note_left_out(context, writer.left_out());
    if (writer.count() == 0 && context.style.terminal) {
        note(context, "no tokens found");
    }
    return {};
}

namespace {

class ListCommand final : public Command {
public:
    void define(Arguments& arguments) override {
        flags_.define(arguments);
        arguments.option("--parallel", parallel_text_, "Fetch N pages at once, 1 to 16 (default 4)", "N");
    }

    void prepare(const Preparation&) override {
        if (parallel_text_) {
            parallel_ = parallel_value(*parallel_text_);
        }
        plan_ = plan_list(flags_);
    }

    int parallel() const override { return parallel_; }
    Result run(Context& context) override { return run_list(context, plan_); }

private:
    ListFlags flags_;
    std::optional<std::string> parallel_text_;
    int parallel_ = kDefaultParallel;
    ListPlan plan_;
};

}  // namespace

const CommandSpec list_command{"list", "List tokens, following every page",
                               R"TXT(Server-side filters are exact matches; --search matches a substring of the
identifier, intent, username and description. --user takes a username or a user
pk (digits). --expiring-within, --expired, --limit and --user PK are applied by
aktoken (authentik filters by username only). Formats: table, wide, json, jsonl,
tsv, id.
Columns: identifier, pk, intent, user, user.username, user.pk, description,
expires, expiring, managed.

Examples:
  aktoken list --expiring-within 14d
  aktoken list --user alice --intent app_password -o wide
  aktoken list --search ci --ordering -expires --limit 10
  aktoken list -o id --expired | xargs -r aktoken delete --yes
  aktoken list -o tsv --columns identifier,user.username,expires --no-headers)TXT",
                               Phase::client, make_command<ListCommand>};

}  // namespace aktoken::commands

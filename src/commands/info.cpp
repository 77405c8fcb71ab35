// SPDX-License-Identifier: MIT
#include "aktoken/commands/info.h"

#include <fmt/format.h>

#include <optional>

#include "aktoken/commands/get.h"
#include "aktoken/commands/token_fields.h"
#include "aktoken/output/records.h"
#include "aktoken/util/values.h"
#include "commands/specs.h"

namespace aktoken::commands {

Result run_used_by(Context& context, const std::string& identifier) {
    std::vector<model::UsedBy> used_by = context.client.used_by(identifier);
    if (used_by.empty() && context.style.terminal) {
        note(context, fmt::format("nothing uses token {}", util::quoted(identifier)));
    }
    std::vector<output::Record> records;
    for (const model::UsedBy& use : used_by) {
        output::Record& record = records.emplace_back();
        record.add("app", output::Value::string(use.app));
        record.add("model_name", output::Value::string(use.model_name));
        record.add("pk", output::Value::string(use.pk));
        record.add("name", output::Value::string(use.name));
        record.add("action", output::Value::string(use.action));
    }
    output::View view;
    view.columns = {{"app", "app"}, {"model_name", "model"}, {"name", "name"}, {"action", "action"}};
    view.tsv = true;
    context.out << output::render(records, context.format, context.style, view);
    return {};
}

Result run_whoami(Context& context) {
    const model::User user = context.client.me();
    // Which authentik rules apply (see the versions table); a proxy or an older server may not
    // answer, and that takes nothing from the answer to "who am I".
    std::optional<std::string> version;
    try {
        version = context.client.version();
    } catch (const Error& e) {
        if (!item_error(e)) {
            throw;
        }
        note(context, fmt::format("the server did not tell its version (GET /admin/version/): {}", e.what()));
    }
    output::Record record;
    record.add("url", output::Value::string(context.client.base_url()));
    record.add("pk", output::Value::integer(user.pk));
    record.add("username", output::Value::string(user.username));
    record.add("name", output::Value::string(user.name));
    record.add("is_superuser", output::Value::boolean(user.is_superuser, user.is_superuser ? "yes" : "no"));
    record.add("authentik_version", output::Value::optional(version));
    output::View view;
    view.text = output::View::Text::blocks;
    view.columns = {{"username", "username"},      {"pk", "pk"},   {"name", "name"},
                    {"is_superuser", "superuser"}, {"url", "url"}, {"authentik_version", "authentik"}};
    view.single = true;
    context.out << output::render({record}, context.format, context.style, view);
    return {};
}

namespace {

class UsedByCommand final : public Command {
public:
    void define(Arguments& arguments) override { arguments.argument("IDENTIFIER", identifier_, "Token identifier"); }
    void prepare(const Preparation&) override { check_identifier("IDENTIFIER", identifier_); }
    Result run(Context& context) override { return run_used_by(context, identifier_); }

private:
    std::string identifier_;
};

class WhoamiCommand final : public Command {
public:
    void define(Arguments&) override {}
    void prepare(const Preparation&) override {}
    Result run(Context& context) override { return run_whoami(context); }
};

}  // namespace

constexpr output::Format kUsedByFormats[] = {output::Format::table, output::Format::json, output::Format::jsonl,
                                             output::Format::tsv};

const CommandSpec used_by_command{"used-by",     "Show what uses a token",    R"TXT(Formats: table, json, jsonl, tsv.

Examples:
  aktoken used-by ci-deploy
  aktoken used-by ci-deploy -o json)TXT",
                                  Phase::client, make_command<UsedByCommand>, 0,
                                  kUsedByFormats};

constexpr output::Format kWhoamiFormats[] = {output::Format::table, output::Format::json, output::Format::jsonl};

const CommandSpec whoami_command{
    "whoami",
    "Show the user the API token belongs to",
    R"TXT(Exit status 0 proves that the URL and the token work: the check a CI job runs first.
Also shows the authentik release the server runs (GET /admin/version/); a server
that does not tell gets a note on stderr and "-" (json: null).
Formats: table, json, jsonl.

Examples:
  aktoken whoami
  aktoken whoami -o json)TXT",
    Phase::client,
    make_command<WhoamiCommand>,
    0,
    kWhoamiFormats};

}  // namespace aktoken::commands

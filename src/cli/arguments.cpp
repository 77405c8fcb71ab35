// SPDX-License-Identifier: MIT
// The whole CLI11 tree lives in this one file: CLI/CLI.hpp costs seconds per translation unit.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/invocation.h"

namespace aktoken::cli {
namespace {

constexpr const char* kRootFooter = R"TXT(Commands take the global options before or after the command name.

Examples:
  aktoken --url https://auth.example.com --token-file ~/.ak-token get ci-deploy
  AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN_FILE=/run/secrets/ak aktoken get ci-deploy -o json
  aktoken update ci-deploy --description "CI deploy (rotated monthly)" --dry-run

Exit status: 0 success, 1 internal error, 2 usage, 3 configuration, 4 authentication failed,
5 permission denied, 6 not found, 7 rejected by the server, 8 server error or malformed answer,
9 network, 130 interrupted. See README "Exit status".)TXT";

constexpr const char* kGetFooter = R"TXT(Examples:
  aktoken get ci-deploy
  aktoken get ci-deploy backup-job -o json)TXT";

constexpr const char* kUpdateFooter = R"TXT(Only the given fields change. aktoken first reads the token and also sends its
current intent and user, because authentik otherwise turns the token into an api
token owned by the caller (--no-preserve sends only the given fields). authentik
sets the expiry of api tokens itself; aktoken warns when the server stored another
value than requested (--strict makes that an error, exit 7).

WHEN for --expires: 2027-01-31T12:00:00Z (offsets allowed), 2027-01-31 (00:00 UTC),
a duration from now (+30d, 12h, 90m, 2w, 1d12h) or never.

Examples:
  aktoken update ci-deploy --description "Deploys from CI"
  aktoken update laptop-mail --expires +30d
  aktoken update old-name --identifier new-name --dry-run
  aktoken update outpost-x --no-managed --strict)TXT";

// The option given to the wrong command or misspelt is the common case: name it plainly.
Error usage_error(const CLI::ParseError& e, const CLI::App& app, int argc, const char* const* argv) {
    std::string message = e.what();
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
        message.find("subcommand") != std::string::npos) {
        std::vector<std::string> names;
        for (const CLI::App* sub : app.get_subcommands({})) {
            names.push_back(sub->get_name());
        }
        std::string list = fmt::format("{}", fmt::join(names, ", "));
        for (int i = 1; i < argc; ++i) {
            std::string_view word = argv[i];
            if (!word.empty() && word[0] != '-') {
                return Error(ErrorKind::usage, fmt::format("unknown command \"{}\" (commands: {})", word, list));
            }
        }
        return Error(ErrorKind::usage, fmt::format("no command given (commands: {}); see aktoken --help", list));
    }
    return Error(ErrorKind::usage, message);
}

template <class T>
void take_if_given(const CLI::Option* option, const T& value, std::optional<T>& target) {
    if (option->count() > 0) {
        target = value;
    }
}

}  // namespace

Invocation parse_arguments(int argc, const char* const* argv, std::ostream& out) {
    Invocation inv;
    CLI::App app{"aktoken: administer authentik API tokens", "aktoken"};
    // Everything below is inherited by the subcommands, so it is set first.
    app.fallthrough();
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.set_help_flag("-h,--help", "Show this help and exit");
    app.get_formatter()->column_width(34);
    app.require_subcommand(1);

    std::string url, token_file, profile, ca_file, timeout, output;
    bool insecure = false;
    auto* url_opt = app.add_option("--url", url, "authentik base URL, e.g. https://auth.example.com (env AUTHENTIK_URL)")
                        ->type_name("URL");
    auto* token_file_opt =
        app.add_option("--token-file", token_file,
                       "Read the API token from PATH ('-' for stdin) (env AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE)")
            ->type_name("PATH");
    auto* profile_opt =
        app.add_option("--profile", profile, "Config file profile (env AKTOKEN_PROFILE, default 'default')")
            ->type_name("NAME");
    auto* ca_file_opt =
        app.add_option("--ca-file", ca_file, "Trust the CA certificates in PATH (env AUTHENTIK_CA_FILE)")->type_name("PATH");
    auto* insecure_opt =
        app.add_flag("--insecure", insecure, "Do not verify the server's TLS certificate (env AUTHENTIK_INSECURE)");
    auto* timeout_opt =
        app.add_option("--timeout", timeout, "Whole-request timeout (default 30)")->type_name("SECONDS");
    auto* output_opt = app.add_option("-o,--output", output, "Output format: table or json (default table)")
                           ->type_name("FORMAT");
    app.add_flag("--no-color", inv.no_color, "Never colour the output (also NO_COLOR)");
    app.add_flag("-v,--verbose", inv.verbose, "Trace requests and responses on stderr, secrets redacted");
    app.set_version_flag("--version", std::string("aktoken ") + AKTOKEN_VERSION);

    CLI::App* get = app.add_subcommand("get", "Show tokens");
    get->footer(kGetFooter);
    get->add_option("IDENTIFIER", inv.identifiers, "Token identifiers")->required()->multi_option_policy(
        CLI::MultiOptionPolicy::TakeAll);

    commands::UpdateFlags& u = inv.update;
    CLI::App* update = app.add_subcommand("update", "Change fields of a token with a sparse PATCH");
    update->footer(kUpdateFooter);
    std::string description, expires, intent, user, new_identifier, managed;
    update->add_option("IDENTIFIER", u.identifier, "Token identifier")->required();
    auto* description_opt = update->add_option("--description", description, "New description (may be empty)")
                                ->type_name("TEXT");
    auto* expires_opt = update->add_option("--expires", expires, "New expiry: RFC 3339, date, duration or never")
                            ->type_name("WHEN");
    update->add_flag("--expiring", u.expiring, "Let the token expire");
    update->add_flag("--no-expiring", u.no_expiring, "Keep the token from expiring");
    auto* intent_opt = update->add_option("--intent", intent, "api or app_password")->type_name("INTENT");
    auto* user_opt = update->add_option("--user", user, "Owner's user pk (authentik refuses a change)")->type_name("PK");
    auto* new_identifier_opt =
        update->add_option("--identifier", new_identifier, "Rename the token")->type_name("NEW");
    auto* managed_opt = update->add_option("--managed", managed, "Set the managed marker")->type_name("TEXT");
    update->add_flag("--no-managed", u.no_managed, "Clear the managed marker (sends null)");
    update->add_flag("--no-preserve", u.no_preserve, "Send only the given fields (no GET, no intent/user)");
    update->add_flag("--dry-run", u.dry_run, "Print the request instead of sending it");
    update->add_flag("--strict", u.strict, "Fail (exit 7) when the server stores another value than requested");

    app.footer(kRootFooter);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        std::ostringstream err;
        inv.exit_now = app.exit(e, out, err);
        return inv;
    } catch (const CLI::CallForAllHelp& e) {
        std::ostringstream err;
        inv.exit_now = app.exit(e, out, err);
        return inv;
    } catch (const CLI::CallForVersion& e) {
        std::ostringstream err;
        inv.exit_now = app.exit(e, out, err);
        return inv;
    } catch (const CLI::ParseError& e) {
        throw usage_error(e, app, argc, argv);
    }

    config::CommandLine& line = inv.settings;
    take_if_given(url_opt, url, line.url);
    take_if_given(token_file_opt, token_file, line.token_file);
    take_if_given(profile_opt, profile, line.profile);
    take_if_given(ca_file_opt, ca_file, line.ca_file);
    take_if_given(timeout_opt, timeout, line.timeout);
    take_if_given(output_opt, output, line.output);
    if (insecure_opt->count() > 0) {
        line.insecure = insecure;
    }
    if (update->parsed()) {
        inv.command = CommandName::update;
        take_if_given(description_opt, description, u.description);
        take_if_given(expires_opt, expires, u.expires);
        take_if_given(intent_opt, intent, u.intent);
        take_if_given(user_opt, user, u.user);
        take_if_given(new_identifier_opt, new_identifier, u.new_identifier);
        take_if_given(managed_opt, managed, u.managed);
    } else {
        inv.command = CommandName::get;
    }
    return inv;
}

}  // namespace aktoken::cli

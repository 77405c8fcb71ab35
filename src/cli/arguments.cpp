// SPDX-License-Identifier: MIT
// The whole CLI11 tree lives in this one file: CLI/CLI.hpp costs seconds per translation unit.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <set>

#include "aktoken/version.h"
#include "cli/help_text.h"
#include "cli/invocation.h"

namespace aktoken::cli {
namespace {

// The option given to the wrong command or misspelt is the common case: name it plainly.
Error usage_error(const CLI::ParseError& e, const CLI::App& app, int argc, const char* const* argv) {
    std::string message = e.what();
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
        message.find("subcommand") != std::string::npos) {
        std::vector<std::string> names;
        for (const CLI::App* sub : app.get_subcommands({})) {
            if (!sub->get_group().empty()) {
                names.push_back(sub->get_name());
            }
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

// An option whose absence matters: `target` is engaged only when the option is given.
CLI::Option* text_option(CLI::App* app, const std::string& name, std::optional<std::string>& target,
                         const std::string& help, const std::string& type) {
    return app->add_option_function<std::string>(
                  name, [&target](const std::string& value) { target = value; }, help)
        ->type_name(type);
}

CLI::App* command(CLI::App& app, const char* name, const char* description, const char* footer) {
    CLI::App* sub = app.add_subcommand(name, description);
    sub->footer(footer);
    return sub;
}

// The identifiers of a bulk command: arguments and/or --from-file, worked on by --parallel.
void add_bulk(CLI::App* sub, std::vector<std::string>& identifiers, Invocation& inv, bool from_file = true) {
    sub->add_option("IDENTIFIER", identifiers, "Token identifiers")->multi_option_policy(
        CLI::MultiOptionPolicy::TakeAll);
    if (from_file) {
        text_option(sub, "--from-file", inv.from_file, "Also take identifiers from FILE, one a line ('-': stdin)",
                    "FILE");
    }
    text_option(sub, "--parallel", inv.parallel, "Work on N tokens at once, 1 to 16 (default 4)", "N");
}

void add_identifier(CLI::App* sub, std::vector<std::string>& identifiers) {
    sub->add_option_function<std::string>(
           "IDENTIFIER", [&identifiers](const std::string& value) { identifiers = {value}; }, "Token identifier")
        ->required();
}

void define_global_options(CLI::App& app, Invocation& inv) {
    config::CommandLine& line = inv.settings;
    text_option(&app, "--url", line.url, "authentik base URL, e.g. https://auth.example.com (env AUTHENTIK_URL)",
                "URL");
    text_option(&app, "--token-file", line.token_file,
                "Read the API token from PATH ('-' for stdin) (env AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE)", "PATH");
    text_option(&app, "--profile", line.profile, "Config file profile (env AKTOKEN_PROFILE, default 'default')",
                "NAME");
    text_option(&app, "--ca-file", line.ca_file, "Trust the CA certificates in PATH (env AUTHENTIK_CA_FILE)", "PATH");
    app.add_flag_callback(
        "--insecure", [&line]() { line.insecure = true; },
        "Do not verify the server's TLS certificate (env AUTHENTIK_INSECURE)");
    text_option(&app, "--timeout", line.timeout, "Whole-request timeout (default 30)", "SECONDS");
    text_option(&app, "-o,--output", line.output, "Output format: table, wide, json, jsonl, tsv or id (default table)",
                "FORMAT");
    text_option(&app, "--retries", inv.retries,
                "Retries of failed requests, 0 to 10 (default 3; env AKTOKEN_RETRIES)", "N");
    text_option(&app, "--retry-max-time", inv.retry_max_time, "Give up retrying after this long (default: no limit)",
                "SECONDS");
    app.add_flag("--no-color", inv.no_color, "Never colour the output (also NO_COLOR)");
    app.add_flag("-v,--verbose", inv.verbose, "Trace requests and responses on stderr, secrets redacted");
    app.set_version_flag("--version", std::string("aktoken ") + version());
}

void define_update(CLI::App* update, commands::UpdateFlags& u, Invocation& inv) {
    add_bulk(update, u.identifiers, inv);
    text_option(update, "--description", u.description, "New description (may be empty)", "TEXT");
    text_option(update, "--expires", u.expires, "New expiry: RFC 3339, date, duration or never", "WHEN");
    update->add_flag("--expiring", u.expiring, "Let the token expire");
    update->add_flag("--no-expiring", u.no_expiring, "Keep the token from expiring");
    text_option(update, "--intent", u.intent, "api or app_password", "INTENT");
    text_option(update, "--user", u.user, "Owner's user pk (authentik refuses a change)", "PK");
    text_option(update, "--identifier", u.new_identifier, "Rename the token", "NEW");
    text_option(update, "--managed", u.managed, "Set the managed marker", "TEXT");
    update->add_flag("--no-managed", u.no_managed, "Clear the managed marker (sends null)");
    update->add_flag("--no-preserve", u.no_preserve, "Send only the given fields (no GET, no intent/user)");
    update->add_flag("--dry-run", u.dry_run, "Print the request instead of sending it");
    update->add_flag("--strict", u.strict, "Fail (exit 7) when the server stores another value than requested");
}

void define_list(CLI::App* list, commands::ListFlags& l) {
    text_option(list, "--identifier", l.identifier, "Only this identifier (exact)", "ID");
    text_option(list, "--intent", l.intent, "verification, api, recovery or app_password", "INTENT");
    text_option(list, "--user", l.user, "Only tokens of this username (exact)", "USERNAME");
    text_option(list, "--description", l.description, "Only this description (exact)", "TEXT");
    text_option(list, "--managed", l.managed, "Only this managed marker (exact)", "TEXT");
    list->add_flag("--expiring", l.expiring, "Only tokens that expire");
    list->add_flag("--no-expiring", l.no_expiring, "Only tokens that do not expire");
    text_option(list, "--search", l.search, "Substring of identifier, intent, username or description", "TEXT");
    text_option(list, "--ordering", l.ordering, "Sort fields, comma separated, '-' for descending", "FIELDS");
    text_option(list, "--expiring-within", l.expiring_within,
                "Expiring tokens whose expiry is at most DURATION away (expired ones included)", "DURATION");
    list->add_flag("--expired", l.expired, "Only expiring tokens already past their expiry");
    text_option(list, "--limit", l.limit, "Print at most N tokens", "N");
    text_option(list, "--columns", l.columns, "Columns for table, wide and tsv", "A,B,C");
    list->add_flag("--no-headers", l.no_headers, "No header line in table, wide and tsv");
}

void define_create(CLI::App* create, commands::CreateFlags& c) {
    create->add_option("IDENTIFIER", c.identifier, "Identifier of the new token")->required();
    text_option(create, "--intent", c.intent, "api (default) or app_password", "INTENT");
    text_option(create, "--user", c.user, "Owner: a user pk or a username (superusers only)", "PK|USERNAME");
    text_option(create, "--description", c.description, "Description", "TEXT");
    text_option(create, "--expires", c.expires, "Expiry: RFC 3339, date, duration or never", "WHEN");
    create->add_flag("--no-expiring", c.no_expiring, "The token does not expire");
    text_option(create, "--managed", c.managed, "Managed marker", "TEXT");
    create->add_flag("--if-not-exists", c.if_not_exists, "Exit 0 and print the existing token if the identifier is taken");
    create->add_flag("--show-key", c.show_key, "Fetch the new key and print it with the token");
    text_option(create, "--key-file", c.key_file, "Write the new key to PATH (mode 0600, atomic)", "PATH");
    create->add_flag("--strict", c.strict, "Fail (exit 7) when the server stores other values than requested");
}

void define_check(CLI::App* check, commands::CheckFlags& c, Invocation& inv) {
    add_bulk(check, c.identifiers, inv);
    text_option(check, "--warn", c.warn, "WARNING when expiring within DURATION (default 14d)", "DURATION");
    text_option(check, "--crit", c.crit, "CRITICAL when expiring within DURATION (default 3d)", "DURATION");
    text_option(check, "--prometheus", c.prometheus, "Also write a node_exporter textfile to FILE (atomic)", "FILE");
    define_list(check, c.filters);
}

void define_rotate(CLI::App* rotate, commands::RotateFlags& r, Invocation& inv) {
    add_bulk(rotate, r.identifiers, inv);
    text_option(rotate, "--key-file", r.key_file, "Write the new key to PATH ({} = identifier)", "PATH");
    rotate->add_flag("--show-key", r.show_key, "Print the new key on stdout");
    text_option(rotate, "--if-expiring-within", r.if_expiring_within,
                "Rotate only tokens expiring within DURATION (or expired)", "DURATION");
    text_option(rotate, "--length", r.length, "Key length, 32 to 512 (default 60)", "N");
    text_option(rotate, "--expires", r.expires, "New expiry of app passwords: RFC 3339, date, duration or never",
                "WHEN");
    rotate->add_flag("--verify", r.verify, "Check that a new api key authenticates (users/me)");
    text_option(rotate, "--lock", r.lock, "Hold an exclusive lock on FILE for the whole run", "FILE");
    text_option(rotate, "--lock-timeout", r.lock_timeout, "Wait this long for the lock, then exit 10 (default 0)",
                "SECONDS");
}

}  // namespace

std::string command_word(int argc, const char* const* argv) {
    static const std::set<std::string_view> valued = {"--url",     "--token-file",     "--profile", "--ca-file",
                                                      "--timeout", "-o",               "--output",  "--retries",
                                                      "--retry-max-time"};
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (valued.count(word) != 0) {
            ++i;
        } else if (!word.empty() && word[0] != '-') {
            return std::string(word);
        }
    }
    return {};
}

namespace {

// Thrown when a parse that defined only one command's options needs them all after all.
struct NeedsEveryCommand {};

// Parses with every command's options, or with only those of `only` (CLI11 builds each option
// eagerly, a tenth of a `get`'s start-up): the other commands exist, without options. Where that
// could tell a different story (any parse error, help), it throws NeedsEveryCommand instead.
Invocation parse(int argc, const char* const* argv, std::ostream& out, std::string_view only) {
    Invocation inv;
    const auto wanted = [only](std::string_view name) { return only.empty() || only == name; };
    CLI::App app{"aktoken: administer authentik API tokens", "aktoken"};
    // Everything below is inherited by the subcommands, so it is set first.
    app.fallthrough();
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.set_help_flag("-h,--help", "Show this help and exit");
    app.get_formatter()->column_width(36);
    app.require_subcommand(1);
    define_global_options(app, inv);

    struct Entry {
        CLI::App* app;
        CommandName name;
    };
    std::vector<Entry> entries;
    auto add = [&](const char* name, const char* description, const char* footer, CommandName command_name) {
        CLI::App* sub = command(app, name, description, footer);
        entries.push_back({sub, command_name});
        return sub;
    };

    CLI::App* get = add("get", "Show tokens", help::kGet, CommandName::get);
    if (wanted("get")) {
        add_bulk(get, inv.identifiers, inv);
    }
    CLI::App* update = add("update", "Change fields of tokens with a sparse PATCH", help::kUpdate, CommandName::update);
    if (wanted("update")) {
        define_update(update, inv.update, inv);
    }
    CLI::App* list = add("list", "List tokens, following every page", help::kList, CommandName::list);
    if (wanted("list")) {
        define_list(list, inv.list);
        text_option(list, "--parallel", inv.parallel, "Fetch N pages at once, 1 to 16 (default 4)", "N");
    }
    CLI::App* create = add("create", "Create a token", help::kCreate, CommandName::create);
    if (wanted("create")) {
        define_create(create, inv.create);
    }

    CLI::App* del = add("delete", "Delete tokens", help::kDelete, CommandName::delete_);
    if (wanted("delete")) {
        add_bulk(del, inv.identifiers, inv);
        del->add_flag("-y,--yes", inv.yes, "Do not ask for confirmation");
        del->add_flag("--ignore-missing", inv.ignore_missing, "A token that does not exist counts as deleted");
    }

    CLI::App* view_key = add("view-key", "Print a token's key", help::kViewKey, CommandName::view_key);
    if (wanted("view-key")) {
        add_identifier(view_key, inv.identifiers);
        text_option(view_key, "--key-file", inv.key_file, "Write the key to PATH (mode 0600, atomic) instead", "PATH");
    }

    CLI::App* set_key = add("set-key", "Replace a token's key", help::kSetKey, CommandName::set_key);
    if (wanted("set-key")) {
        add_identifier(set_key, inv.identifiers);
        auto* key_file = text_option(set_key, "--key-file", inv.key_file, "Read the new key from PATH", "PATH");
        auto* key_stdin = set_key->add_flag("--key-stdin", inv.key_stdin, "Read the new key from standard input");
        key_file->excludes(key_stdin);
    }

    CLI::App* used_by = add("used-by", "Show what uses a token", help::kUsedBy, CommandName::used_by);
    if (wanted("used-by")) {
        add_identifier(used_by, inv.identifiers);
    }
    add("whoami", "Show the user the API token belongs to", help::kWhoami, CommandName::whoami);
    CLI::App* check = add("check", "Monitor expiry (monitoring-plugin exit codes)", help::kCheck, CommandName::check);
    if (wanted("check")) {
        define_check(check, inv.check, inv);
    }
    CLI::App* rotate =
        add("rotate", "Give tokens new keys without locking anyone out", help::kRotate, CommandName::rotate);
    if (wanted("rotate")) {
        define_rotate(rotate, inv.rotate, inv);
    }

    CLI::App* completion = add("completion", "Print the shell completion script", help::kCompletion,
                               CommandName::completion);
    if (wanted("completion")) {
        completion->add_option("SHELL", inv.shell, "bash, zsh or fish")->required();
    }
    CLI::App* config = app.add_subcommand("config", "Show the configuration in use");
    config->footer(help::kConfig);
    config->require_subcommand(1);
    entries.push_back({config->add_subcommand("show", "Every setting and where it came from"),
                       CommandName::config_show});
    entries.push_back({config->add_subcommand("path", "The config file in use"), CommandName::config_path});

    // Hidden: every command and flag, one per line, so that tests can hold the man page and the
    // completion scripts to the real CLI.
    CLI::App* describe = app.add_subcommand("__describe", "");
    describe->group("");
    describe->parse_complete_callback([&app, &out, &inv]() {
        for (const CLI::Option* option : app.get_options()) {
            for (const std::string& name : option->get_lnames()) {
                out << "global --" << name << '\n';
            }
            for (const std::string& name : option->get_snames()) {
                out << "global -" << name << '\n';
            }
        }
        for (const CLI::App* sub : app.get_subcommands({})) {
            if (sub->get_group().empty()) {
                continue;
            }
            out << sub->get_name() << '\n';
            for (const CLI::Option* option : sub->get_options()) {
                for (const std::string& name : option->get_lnames()) {
                    if (name != "help") {
                        out << sub->get_name() << " --" << name << '\n';
                    }
                }
                for (const std::string& name : option->get_snames()) {
                    if (name != "h") {
                        out << sub->get_name() << " -" << name << '\n';
                    }
                }
            }
        }
        inv.exit_now = 0;
    });

    app.footer(help::kRoot);

    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        if (!only.empty()) {
            throw NeedsEveryCommand{};
        }
        // --help and --version: printed on stdout, exit status 0.
        std::ostringstream err;
        inv.exit_now = app.exit(e, out, err);
        return inv;
    } catch (const CLI::ParseError& e) {
        if (!only.empty()) {
            throw NeedsEveryCommand{};
        }
        throw usage_error(e, app, argc, argv);
    }
    if (inv.exit_now) {
        return inv;
    }
    for (const Entry& entry : entries) {
        if (entry.app->parsed()) {
            inv.command = entry.name;
        }
    }
    if (inv.command == CommandName::set_key && !inv.key_file && !inv.key_stdin) {
        throw Error(ErrorKind::usage, "set-key needs --key-file PATH or --key-stdin (a key is never taken from argv)");
    }
    return inv;
}

}  // namespace

Invocation parse_arguments(int argc, const char* const* argv, std::ostream& out) {
    const std::string word = command_word(argc, argv);
    if (!word.empty() && word != "__describe") {
        try {
            return parse(argc, argv, out, word);
        } catch (const NeedsEveryCommand&) {
            // Parsed again below with every command: its message or help is the one to give.
        }
    }
    return parse(argc, argv, out, {});
}

}  // namespace aktoken::cli

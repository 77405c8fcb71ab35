// SPDX-License-Identifier: MIT
// The whole CLI11 tree lives in this one file: CLI/CLI.hpp costs seconds per translation unit.
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "aktoken/util/values.h"
#include "aktoken/version.h"
#include "cli/invocation.h"
#include "cli/report.h"

namespace aktoken::cli {
namespace {

using commands::CommandSpec;

constexpr std::string_view kRootHelp = R"TXT(Global options go before or after the command name.

Examples:
  aktoken --url https://auth.example.com --token-file ~/.ak-token whoami
  AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN_FILE=/run/secrets/ak aktoken list --expiring-within 14d
  aktoken update ci-deploy --description "CI deploy (rotated monthly)" --dry-run
)TXT";

// Whether a global option takes a value: the scan for the command word reads the same settings
// table as the parser.
bool takes_value(std::string_view word) {
    for (const config::SettingSpec& spec : config::setting_table()) {
        if (!spec.value_name.empty() && (word == spec.flag || (!spec.short_flag.empty() && word == spec.short_flag))) {
            return true;
        }
    }
    return false;
}

// The command word of argv: the first word that is not an option or a global option's value.
std::string command_word(int argc, const char* const* argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view word = argv[i];
        if (takes_value(word)) {
            ++i;
        } else if (!word.empty() && word[0] != '-') {
            return std::string(word);
        }
    }
    return {};
}

// The first word of a command's name: "config" for "config show".
std::string_view group_of(std::string_view name) { return name.substr(0, name.find(' ')); }

// Every value typed is text that is sent, stored or shown: invalid UTF-8 is refused before anything
// is sent (authentik may store it, and every later list of tokens would fail). Paths are bytes to
// the kernel, not text, and stay as given.
void require_utf8(CLI::Option* option, std::string_view value_name = {}) {
    if (value_name == "PATH" || value_name == "FILE") {
        return;
    }
    option->check(CLI::Validator(
        [](std::string& value) -> std::string {
            return util::is_valid_utf8(value)
                       ? std::string()
                       : fmt::format("invalid value {}: expected text in UTF-8", util::quoted(value));
        },
        "", "UTF-8"));
}

class CliArguments final : public commands::Arguments {
public:
    explicit CliArguments(CLI::App* app) : app_(app) {}

    void option(std::string_view names, std::optional<std::string>& target, std::string_view help,
                std::string_view value_name) override {
        CLI::Option* option = app_->add_option_function<std::string>(
            std::string(names), [&target](const std::string& value) { target = value; }, std::string(help));
        option->type_name(std::string(value_name));
        require_utf8(option, value_name);
    }

    void flag(std::string_view names, bool& target, std::string_view help) override {
        app_->add_flag(std::string(names), target, std::string(help));
    }

    void arguments(std::string_view name, std::vector<std::string>& target, std::string_view help) override {
        require_utf8(app_->add_option(std::string(name), target, std::string(help))
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll));
    }

    void argument(std::string_view name, std::string& target, std::string_view help) override {
        require_utf8(app_->add_option(std::string(name), target, std::string(help))->required());
    }

    void exclusive(std::string_view first, std::string_view second) override {
        app_->get_option(std::string(first))->excludes(app_->get_option(std::string(second)));
    }

private:
    CLI::App* app_;
};

// The option given to the wrong command or misspelt is the common case: name it plainly.
Error usage_error(const CLI::ParseError& e, const CLI::App& app, int argc, const char* const* argv) {
    std::string message = e.what();
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && message.find("subcommand") != std::string::npos) {
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

// Hidden: every command and flag, one per line, so that tests can hold the man page and the
// completion scripts to the real CLI.
void describe(const CLI::App& app, std::ostream& out) {
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
}

// Thrown when a parse that defined only one command's options needs them all after all.
struct NeedsEveryCommand {};

// Parses with every command's options, or with only those of the command word `only` (CLI11
// builds each option eagerly, a tenth of a `get`'s start-up): the other commands exist, without
// options. Where that could tell a different story (any parse error, help), it throws
// NeedsEveryCommand instead.
void parse(int argc, const char* const* argv, std::ostream& out, std::string_view only, Invocation& inv) {
    CLI::App app{"aktoken: administer authentik API tokens", "aktoken"};
    // Everything below is inherited by the subcommands, so it is set first.
    app.fallthrough();
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.set_help_flag("-h,--help", "Show this help and exit");
    app.get_formatter()->column_width(36);
    app.require_subcommand(1);

    config::CommandLine& line = inv.settings;
    for (const config::SettingSpec& spec : config::setting_table()) {
        const std::string names =
            spec.short_flag.empty() ? std::string(spec.flag) : fmt::format("{},{}", spec.short_flag, spec.flag);
        if (spec.value_name.empty()) {
            app.add_flag_callback(
                names, [&line, &spec]() { spec.set(line, {}); }, config::flag_help(spec));
            continue;
        }
        CLI::Option* option = app.add_option_function<std::string>(
            names, [&line, &spec](const std::string& value) { spec.set(line, value); }, config::flag_help(spec));
        option
            ->type_name(std::string(spec.value_name))
            // Read even when parsing fails later, so that the error is reported as -o asked.
            ->trigger_on_parse();
        require_utf8(option, spec.value_name);
    }
    app.add_flag("--no-color", inv.no_color, "Never colour the output (also NO_COLOR)");
    app.add_flag("-v,--verbose", inv.verbose, "Trace requests and responses on stderr, secrets redacted");
    app.set_version_flag("--version", std::string("aktoken ") + version());
    app.footer(std::string(kRootHelp) + exit_status_help());

    struct Entry {
        CLI::App* app;
        const CommandSpec* spec;
        std::unique_ptr<commands::Command> command;
    };
    std::vector<Entry> entries;
    for (const CommandSpec* spec : commands::command_table()) {
        CLI::App* parent = &app;
        std::string_view name = spec->name;
        if (const auto space = name.find(' '); space != std::string_view::npos) {
            for (const Entry& entry : entries) {
                if (entry.spec->name == name.substr(0, space)) {
                    parent = entry.app;
                }
            }
            name.remove_prefix(space + 1);
        }
        CLI::App* sub = parent->add_subcommand(std::string(name), std::string(spec->summary));
        sub->footer(std::string(spec->help));
        std::unique_ptr<commands::Command> command;
        if (spec->make == nullptr) {
            sub->require_subcommand(1);
        } else {
            command = spec->make();
            if (only.empty() || only == group_of(spec->name)) {
                CliArguments arguments(sub);
                command->define(arguments);
            }
        }
        entries.push_back({sub, spec, std::move(command)});
    }

    CLI::App* describe_command = app.add_subcommand("__describe", "");
    describe_command->group("");
    describe_command->parse_complete_callback([&app, &out, &inv]() {
        describe(app, out);
        inv.exit_now = 0;
    });

    const auto chosen = [&]() -> Entry* {
        Entry* found = nullptr;
        for (Entry& entry : entries) {
            if (entry.app->count() > 0 && entry.command) {
                found = &entry;
            }
        }
        return found;
    };
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        if (!only.empty()) {
            throw NeedsEveryCommand{};
        }
        // --help and --version: printed on stdout, exit status 0.
        std::ostringstream err;
        inv.exit_now = app.exit(e, out, err);
        return;
    } catch (const CLI::ParseError& e) {
        if (!only.empty()) {
            throw NeedsEveryCommand{};
        }
        if (Entry* entry = chosen()) {
            inv.spec = entry->spec;
        }
        throw usage_error(e, app, argc, argv);
    }
    if (inv.exit_now) {
        return;
    }
    Entry* entry = chosen();
    inv.spec = entry->spec;
    inv.command = std::move(entry->command);
}

}  // namespace

void parse_arguments(int argc, const char* const* argv, std::ostream& out, Invocation& invocation) {
    const std::string word = command_word(argc, argv);
    if (!word.empty() && word != "__describe") {
        try {
            Invocation attempt;
            parse(argc, argv, out, word, attempt);
            invocation = std::move(attempt);
            return;
        } catch (const NeedsEveryCommand&) {
            // Parsed again below with every command: its message or help is the one to give.
        }
    }
    parse(argc, argv, out, {}, invocation);
}

}  // namespace aktoken::cli

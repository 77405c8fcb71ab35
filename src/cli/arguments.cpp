// SPDX-License-Identifier: MIT
// The whole CLI11 tree lives in this one file: CLI/CLI.hpp costs seconds per translation unit.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>

#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "aktoken/version.h"
#include "cli/invocation.h"
#include "cli/report.h"
#include "cli/usage.h"

namespace aktoken::cli {
namespace {

using commands::CommandSpec;

constexpr std::string_view kRootHelp = R"TXT(Global options go before or after the command name. `aktoken help COMMAND`
shows the help of a command, as `aktoken COMMAND --help` does.

Examples:
  aktoken --url https://auth.example.com --token-file ~/.ak-token whoami
  AUTHENTIK_URL=https://auth.example.com AUTHENTIK_TOKEN_FILE=/run/secrets/ak aktoken list --expiring-within 14d
  aktoken update ci-deploy --description "CI deploy (rotated monthly)" --dry-run
)TXT";

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

// Help fitted to the terminal: descriptions and prose wrap at spaces, never inside a word.
class FittedHelp final : public CLI::Formatter {
public:
    explicit FittedHelp(std::size_t width) : width_(width) {
        // Below 80 columns the names give up room first, down to a column that still fits most.
        column_width(width >= kWideHelp ? kNameColumn : std::max(kNarrowestColumn, width * 2 / 5));
    }

    std::string make_option(const CLI::Option* option, bool is_positional) const override {
        return help_entry(make_option_name(option, is_positional) + make_option_opts(option), make_option_desc(option),
                          get_column_width(), width_);
    }

    std::string make_subcommand(const CLI::App* sub) const override {
        return help_entry(sub->get_display_name(true), sub->get_description(), get_column_width(), width_);
    }

    std::string make_description(const CLI::App* app) const override {
        return fit_prose(CLI::Formatter::make_description(app), width_);
    }

    std::string make_footer(const CLI::App* app) const override {
        const std::string& footer = app->get_footer();
        return footer.empty() ? std::string() : fit_prose(footer, width_) + '\n';
    }

private:
    static constexpr std::size_t kWideHelp = 80;
    static constexpr std::size_t kNameColumn = 36;
    static constexpr std::size_t kNarrowestColumn = 16;
    std::size_t width_;
};

// The commands below `app` that --help lists (not __describe).
std::vector<const CLI::App*> listed_commands(const CLI::App& app) {
    return app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); });
}

std::vector<std::string> names_of(const std::vector<const CLI::App*>& commands) {
    std::vector<std::string> names;
    names.reserve(commands.size());
    for (const CLI::App* command : commands) {
        names.push_back(command->get_name());
    }
    return names;
}

// "config show" for the command `app`; empty for the root.
std::string command_path(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* at = &app; at->get_parent() != nullptr; at = at->get_parent()) {
        names.push_back(at->get_name());
    }
    std::reverse(names.begin(), names.end());
    return util::join(names, " ");
}

// The line after a usage error about the shape of the command line.
std::string help_hint(const CLI::App& app) {
    const std::string path = command_path(app);
    return fmt::format("Run 'aktoken {}--help'.", path.empty() ? "" : path + ' ');
}

// A flag of `app` or, since flags fall through to the parent, of a command above it.
const CLI::Option* find_flag(const CLI::App* app, const std::string& name) {
    for (; app != nullptr; app = app->get_parent()) {
        for (const CLI::Option* option : app->get_options()) {
            if (option->nonpositional() && option->check_name(name)) {
                return option;
            }
        }
    }
    return nullptr;
}

bool flag_takes_value(const CLI::Option* option) { return option->get_expected_max() > 0; }

// How many words the positional arguments of `app` take.
std::size_t positional_room(const CLI::App& app) {
    std::size_t room = 0;
    for (const CLI::Option* option : app.get_options([](const CLI::Option* o) { return o->get_positional(); })) {
        room += static_cast<std::size_t>(std::max(option->get_expected_max(), 0));
    }
    return room;
}

// What a walk of argv along the CLI11 tree found: the first word no command takes, and the
// command reached.
struct Walk {
    std::optional<std::string> problem;
    const CLI::App* reached;
    bool command_missing = false;  // the problem is only that argv ends before a command
};

std::string unknown_flag(const CLI::App& app, const std::string& name) {
    std::vector<std::string> flags;
    for (const CLI::App* at = &app; at != nullptr; at = at->get_parent()) {
        for (const CLI::Option* option : at->get_options()) {
            for (const std::string& long_name : option->get_lnames()) {
                flags.push_back("--" + long_name);
            }
        }
    }
    const std::string path = command_path(app);
    // A one-letter flag is one edit away from every other: no suggestion.
    const std::vector<std::string> suggestions =
        name.substr(0, 2) == "--" ? nearest(name, flags) : std::vector<std::string>();
    return fmt::format("unknown flag {}{}{}", util::quoted(name), path.empty() ? "" : " for " + path,
                       did_you_mean(suggestions));
}

std::string unknown_command(const CLI::App& app, const std::string& word) {
    std::vector<std::string> names = names_of(listed_commands(app));
    const std::string path = command_path(app);
    std::vector<std::string> candidates = names;
    if (path.empty()) {
        candidates.emplace_back("help");
    }
    const std::vector<std::string> suggestions = nearest(word, candidates);
    const std::string what = path.empty() ? "command" : path + " command";
    if (!suggestions.empty()) {
        return fmt::format("unknown {} {}{}", what, util::quoted(word), did_you_mean(suggestions));
    }
    return fmt::format("unknown {} {} ({}s: {})", what, util::quoted(word), what, util::join(names, ", "));
}

std::string missing_command(const CLI::App& app) {
    std::vector<std::string> names = names_of(listed_commands(app));
    const std::string path = command_path(app);
    if (path.empty()) {
        return fmt::format("no command given (commands: {})", util::join(names, ", "));
    }
    const std::string last = names.back();
    names.pop_back();
    return fmt::format("{} needs a command: {}{}", path, util::join(names, ", "), names.empty() ? last : " or " + last);
}

std::string unexpected_argument(const CLI::App& app, const std::string& word) {
    std::vector<std::string> takes;
    for (const CLI::Option* option : app.get_options([](const CLI::Option* o) { return o->get_positional(); })) {
        takes.push_back(option->get_name(true));
    }
    return fmt::format("unexpected argument {}: {} takes {}", util::quoted(word), command_path(app),
                       takes.empty() ? "no arguments" : "only " + util::join(takes, " "));
}

// Walks argv as CLI11 reads it (flags fall through to the commands above, a value follows its
// flag unless attached, `--` ends the flags) to name the word that is wrong: CLI11 2.1.2 says
// only "A subcommand is required" for `aktoken --url URL lst`, and lists unexpected words in
// reverse order. Finds nothing when the problem is elsewhere (a missing value, say).
Walk walk(const CLI::App& root, const std::vector<std::string>& args) {
    const CLI::App* current = &root;
    std::size_t room = 0;
    bool only_positionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& word = args[i];
        if (!only_positionals && word == "--") {
            only_positionals = true;
            continue;
        }
        if (!only_positionals && word.size() > 1 && word[0] == '-') {
            // --name, --name=value, -n, -nVALUE, -abc (flags a, b and c).
            const bool long_flag = word[1] == '-';
            const std::size_t letters = long_flag ? 1 : word.size() - 1;
            for (std::size_t k = 0; k < letters; ++k) {
                const std::string name = long_flag ? word.substr(0, word.find('=')) : std::string{'-', word[k + 1]};
                const CLI::Option* option = find_flag(current, name);
                if (option == nullptr) {
                    return {unknown_flag(*current, name), current};
                }
                if (!flag_takes_value(option)) {
                    continue;
                }
                const bool attached = long_flag ? name.size() < word.size() : k + 2 < word.size();
                if (!attached && ++i == args.size()) {
                    // The value is missing: CLI11's message says so.
                    return {std::nullopt, current};
                }
                break;
            }
            continue;
        }
        if (!listed_commands(*current).empty()) {
            const std::vector<const CLI::App*> subs = current->get_subcommands({});
            const auto sub =
                std::find_if(subs.begin(), subs.end(), [&](const CLI::App* s) { return s->check_name(word); });
            if (sub == subs.end()) {
                return {unknown_command(*current, word), current};
            }
            current = *sub;
            room = positional_room(*current);
            continue;
        }
        if (room == 0) {
            return {unexpected_argument(*current, word), current};
        }
        --room;
    }
    if (!listed_commands(*current).empty()) {
        return {missing_command(*current), current, true};
    }
    return {std::nullopt, current};
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
// `help_command`: args came from `aktoken help [COMMAND]` and end with the --help put in its place.
void parse(const std::vector<std::string>& args, bool help_command, std::ostream& out, std::string_view only,
           Invocation& inv) {
    CLI::App app{"aktoken: administer authentik API tokens", "aktoken"};
    // Everything below is inherited by the subcommands, so it is set first.
    app.fallthrough();
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.set_help_flag("-h,--help", "Show this help and exit");
    app.formatter(std::make_shared<FittedHelp>(help_width(STDOUT_FILENO)));
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
    // A word no command takes ends with a pointer to the help that shows what is taken.
    const auto usage_error = [&inv](const Walk& walked, const std::string& message) {
        inv.usage_hint = help_hint(*walked.reached);
        return Error(ErrorKind::usage, message);
    };
    if (help_command) {
        // `aktoken help lst` is an unknown command, not the help of aktoken.
        const Walk walked = walk(app, std::vector<std::string>(args.begin(), args.end() - 1));
        if (walked.problem && !walked.command_missing) {
            throw usage_error(walked, *walked.problem);
        }
    }
    // CLI11 2.1.2's vector overload takes the arguments in reverse order.
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    try {
        app.parse(reversed);
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
        // A word aktoken does not know gets the pointer to the help; CLI11's other messages name
        // the flag or argument and what it needs.
        const Walk walked = walk(app, args);
        if (walked.problem) {
            throw usage_error(walked, *walked.problem);
        }
        throw Error(ErrorKind::usage, e.what());
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
    std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    std::size_t at = command_word(args);
    // `aktoken help [COMMAND]`, as git, gh and kubectl have it, is `aktoken [COMMAND] --help`.
    const bool help_command = at < args.size() && args[at] == "help";
    if (help_command) {
        args.erase(args.begin() + static_cast<std::ptrdiff_t>(at));
        args.emplace_back("--help");
        at = args.size();
    }
    if (at < args.size() && args[at] != "__describe") {
        try {
            Invocation attempt;
            parse(args, false, out, args[at], attempt);
            invocation = std::move(attempt);
            return;
        } catch (const NeedsEveryCommand&) {
            // Parsed again below with every command: its message or help is the one to give.
        }
    }
    parse(args, help_command, out, {}, invocation);
}

}  // namespace aktoken::cli

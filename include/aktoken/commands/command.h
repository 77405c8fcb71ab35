// SPDX-License-Identifier: MIT
#pragma once

#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/commands/context.h"
#include "aktoken/config/settings.h"
#include "aktoken/output/render.h"
#include "aktoken/util/time.h"

// The command table: one row per command, each command's arguments and run function in the
// command's own file. The CLI builds its parser from the rows and runs the chosen one.
namespace aktoken::commands {

// Where a command declares its arguments; the CLI implements it with CLI11, which commands
// never see. Names are as CLI11 takes them: "--name" or "-n,--name".
class Arguments {
public:
    virtual ~Arguments() = default;
    // An option with a value; `target` is engaged only when the option is given.
    virtual void option(std::string_view names, std::optional<std::string>& target, std::string_view help,
                        std::string_view value_name) = 0;
    virtual void flag(std::string_view names, bool& target, std::string_view help) = 0;
    // Any number of positional arguments.
    virtual void arguments(std::string_view name, std::vector<std::string>& target, std::string_view help) = 0;
    // Exactly one positional argument, required.
    virtual void argument(std::string_view name, std::string& target, std::string_view help) = 0;
    // Two options that cannot be given together.
    virtual void exclusive(std::string_view first, std::string_view second) = 0;
};

// What a command may look at before configuration is read and anything is sent.
struct Preparation {
    util::Timestamp now;
    std::istream& in;  // standard input
    bool stdin_is_terminal = false;
    bool token_from_stdin = false;  // --token-file -: standard input holds the API token
    const config::Environment& environment;
    std::ostream* err = nullptr;  // standard error, for prompts on a terminal
};

// What a command that sends no request runs with.
struct LocalContext {
    std::ostream& out;
    output::Format format;
    output::Style style;
    const config::Settings* settings = nullptr;  // nullptr in Phase::none
};

// How far the CLI sets up before running a command.
enum class Phase {
    none,    // no configuration: the command only prints (completion)
    config,  // configuration resolved, no server (config show, config path)
    client,  // a client for the server (everything else)
};

// A command between parsing and running: its flags, then its checked plan.
class Command {
public:
    virtual ~Command() = default;
    // Declares the command's arguments and flags, bound to its own members.
    virtual void define(Arguments& arguments) = 0;
    // Checks the flags and reads local input (identifier files, keys); throws Error(usage)
    // before configuration is read, so bad input fails first.
    virtual void prepare(const Preparation& preparation) = 0;
    // How many transfers the run may have at once (--parallel).
    virtual int parallel() const { return 1; }
    // Phase::client.
    virtual Result run(Context& context);
    // Phase::none and Phase::config.
    virtual Result run_local(LocalContext& context);
};

// The `make` of a row: a new command of type T.
template <class T>
std::unique_ptr<Command> make_command() {
    return std::make_unique<T>();
}

// A row of the command table.
struct CommandSpec {
    std::string_view name;     // "get"; "config show" for a command of the group "config"
    std::string_view summary;  // one line in the command list
    std::string_view help;     // notes and examples after the options in --help
    Phase phase = Phase::client;
    // nullptr for a group ("config"), which only holds commands.
    std::unique_ptr<Command> (*make)() = nullptr;
    // Nonzero: every error of this command exits with this status (check: 3, UNKNOWN).
    int error_status = 0;
    // The formats the command prints, the first the one it falls back to; empty: all of them.
    std::span<const output::Format> formats = {};
};

// The format `spec` prints in when `asked` was asked for: `asked` itself when the row lists it.
// One asked for on the command line (`from_flag`) that the command does not print is refused,
// Error(usage) naming the ones it prints; one from a profile, which sets it for every command,
// gives way to the row's first format.
output::Format format_for(const CommandSpec& spec, output::Format asked, bool from_flag, std::string_view where);

// Every command, in the order --help lists them.
std::span<const CommandSpec* const> command_table();

// The row of that name ("config show"), or nullptr.
const CommandSpec* find_command(std::string_view name);

}  // namespace aktoken::commands

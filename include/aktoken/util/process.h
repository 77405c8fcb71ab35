// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aktoken::util {

// How a command run by run_shell_command ended.
struct ProcessEnd {
    enum class How { exited, signalled, timed_out, not_started };
    How how = How::not_started;
    int code = 0;                          // the exit status (exited) or the signal number (signalled)
    std::string problem;                   // not_started: why, as strerror text
    std::chrono::milliseconds timeout{0};  // timed_out: the time-out it ran into

    // Tells whether the command exited with status 0.
    bool succeeded() const;
    // The end as the rest of a sentence about the command: "exited with status 3", "was killed by
    // signal 9 (SIGKILL)", "timed out after 60 s and was killed", "could not be started: <problem>".
    std::string describe() const;
};

// One command for /bin/sh -c, with the bytes for its standard input and its environment.
struct ShellCommand {
    std::string command;  // run as /bin/sh -c COMMAND
    // Written to the command's standard input, which is then closed; never put on its argv or in
    // its environment. Must outlive the call.
    std::string_view input;
    // Added to the inherited environment, replacing a variable of the same name.
    std::vector<std::pair<std::string, std::string>> set_env;
    // Removed from the inherited environment (secrets aktoken was given, such as AUTHENTIK_TOKEN).
    std::vector<std::string> unset_env;
    // From the start until the command is sent SIGTERM; SIGKILL follows termination_grace later.
    std::chrono::milliseconds timeout{60000};
    // How long a timed-out command has between SIGTERM and SIGKILL.
    std::chrono::milliseconds termination_grace{2000};
};

// Runs command.command as /bin/sh -c in a process group of its own, with command.input on its
// standard input, its standard output on aktoken's standard error (fd 2), its standard error
// inherited and no other descriptor of aktoken. Waits until it exits; on time-out sends SIGTERM to
// the group, SIGKILL after command.termination_grace, and waits for it. Prints nothing and throws nothing
// but std::bad_alloc; a command /bin/sh cannot run, or a missing /bin/sh, ends as "exited with
// status 127" (or 126), as in a shell.
ProcessEnd run_shell_command(const ShellCommand& command);

// Sends SIGTERM to the process group of the command run_shell_command is running, if any; for the
// SIGINT and SIGTERM handlers, since the command's own group does not get the terminal's Ctrl-C.
// Async-signal-safe.
void terminate_running_shell_command();

}  // namespace aktoken::util

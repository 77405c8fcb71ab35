// SPDX-License-Identifier: MIT
#include "aktoken/util/process.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

extern char** environ;

namespace aktoken::util {
namespace {

// The process group of the command being run, 0 when none, for terminate_running_shell_command.
std::atomic<pid_t> running_group{0};
static_assert(std::atomic<pid_t>::is_always_lock_free, "read from signal handlers");

// Closes a descriptor when it goes out of scope.
class Descriptor {
public:
    explicit Descriptor(int fd = -1) : fd_(fd) {}
    ~Descriptor() { reset(); }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;

    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_;
};

ProcessEnd not_started(int error) {
    ProcessEnd end;
    end.how = ProcessEnd::How::not_started;
    end.problem = std::strerror(error);
    return end;
}

// The child's environment: aktoken's, without the variables to unset or to replace, then the ones
// to set. Built before fork, since the child may only make async-signal-safe calls.
std::optional<std::vector<std::string>> child_environment(const ShellCommand& command) {
    const auto is_named = [](std::string_view entry, std::string_view name) {
        return entry.size() >= name.size() && entry.substr(0, name.size()) == name &&
               (entry.size() == name.size() || entry[name.size()] == '=');
    };
    std::vector<std::string> entries;
    for (char** variable = environ; variable != nullptr && *variable != nullptr; ++variable) {
        const std::string_view entry = *variable;
        bool dropped = false;
        for (const auto& name : command.unset_env) {
            dropped = dropped || is_named(entry, name);
        }
        for (const auto& [name, value] : command.set_env) {
            dropped = dropped || is_named(entry, name);
        }
        if (!dropped) {
            entries.emplace_back(entry);
        }
    }
    for (const auto& [name, value] : command.set_env) {
        // A name with '=' (or none at all) would set some other variable than the one meant.
        if (name.empty() || name.find('=') != std::string::npos || name.find('\0') != std::string::npos) {
            return std::nullopt;
        }
        std::string entry = name;
        entry += '=';
        entry += value;
        entries.push_back(std::move(entry));
    }
    return entries;
}

// The null-terminated array execve wants, pointing into strings that outlive it.
std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (auto& string : strings) {
        pointers.push_back(string.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

// In the forked child: only async-signal-safe calls, since another thread of aktoken may have
// held a lock (malloc's, say) at the moment of fork. Never returns.
[[noreturn]] void become_shell(int input_fd, char* const* argv, char* const* envp) {
    // A group of its own, so that a time-out reaches everything the command started.
    ::setpgid(0, 0);
    // All signals arrive blocked (see run_shell_command). aktoken's handlers must not run here: a
    // SIGTERM before exec would make this copy unlink aktoken's temporary files. And aktoken
    // ignores SIGPIPE (for libcurl), which exec would pass on: a command gets the defaults a shell
    // would give it, so that `... | head` in it ends as usual.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    sigemptyset(&default_action.sa_mask);
    for (int signal_number = 1; signal_number < NSIG; ++signal_number) {
        struct sigaction current {};
        if (::sigaction(signal_number, nullptr, &current) == 0 &&
            (signal_number == SIGPIPE || (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN))) {
            ::sigaction(signal_number, &default_action, nullptr);
        }
    }
    sigset_t nothing;
    sigemptyset(&nothing);
    ::sigprocmask(SIG_SETMASK, &nothing, nullptr);
    // Standard output goes to aktoken's standard error, so that aktoken's own output stays clean
    // for scripts (as git does with hooks). If either step fails the command must not run with
    // aktoken's standard output or without its input.
    if (input_fd == STDIN_FILENO) {
        // dup2 onto itself would keep close-on-exec.
        if (::fcntl(input_fd, F_SETFD, 0) != 0) {
            ::_exit(127);
        }
    } else if (::dup2(input_fd, STDIN_FILENO) != STDIN_FILENO) {
        ::_exit(127);
    }
    if (::dup2(STDERR_FILENO, STDOUT_FILENO) != STDOUT_FILENO) {
        ::_exit(127);
    }
    // Lock files and sockets of aktoken must not live on in a command that outlives it; most are
    // close-on-exec already, this covers any that are not.
    ::closefrom(STDERR_FILENO + 1);
    ::execve("/bin/sh", argv, envp);
    ::_exit(127);  // as a shell reports a command it cannot run
}

// Writes to a pipe whose reader may have gone. aktoken happens to ignore SIGPIPE today, but this
// module must not depend on that: SIGPIPE is blocked on this thread for the write and, if the
// write raised one, consumed before the mask is restored. (A socketpair with MSG_NOSIGNAL would
// avoid the signal too, but the command would get a socket on standard input instead of the pipe
// programs expect there.) Returns what write returned, errno set as it left it.
ssize_t write_without_sigpipe(int fd, std::string_view bytes) {
    sigset_t sigpipe;
    sigemptyset(&sigpipe);
    sigaddset(&sigpipe, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    // A SIGPIPE that was pending already belongs to someone else; it stays.
    const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    sigset_t previous;
    ::pthread_sigmask(SIG_BLOCK, &sigpipe, &previous);
    ssize_t written = 0;
    do {
        written = ::write(fd, bytes.data(), bytes.size());
    } while (written < 0 && errno == EINTR);
    const int error = errno;
    if (written < 0 && error == EPIPE && !was_pending) {
        const timespec no_wait{};
        while (::sigtimedwait(&sigpipe, nullptr, &no_wait) < 0 && errno == EINTR) {
        }
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    errno = error;
    return written;
}

// The milliseconds poll may wait until deadline, rounded up so that it never wakes just before it.
int milliseconds_until(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1000L * 60 * 60 * 24));
}

// Waits until the child exits (its pidfd turns readable; it stays unreaped, so its pid and group id
// cannot be reused meanwhile) or deadline passes on the steady clock, writing `input` to input_fd
// as the pipe takes it and closing input_fd when all of it is written or the reader is gone.
// Returns whether the child exited.
bool wait_for_exit(int pidfd, std::chrono::steady_clock::time_point deadline, Descriptor& input_fd,
                   std::string_view& input) {
    for (;;) {
        if (input_fd.get() >= 0 && input.empty()) {
            input_fd.reset();  // end of file for the command
        }
        pollfd watched[2] = {{pidfd, POLLIN, 0}, {input_fd.get(), POLLOUT, 0}};
        const int ready = ::poll(watched, 2, milliseconds_until(deadline));
        if (ready < 0 && errno != EINTR) {
            return false;  // cannot happen with valid descriptors; treated as a time-out
        }
        if (ready > 0 && (watched[0].revents & POLLIN) != 0) {
            return true;
        }
        if (ready > 0 && watched[1].revents != 0) {
            const ssize_t written = write_without_sigpipe(input_fd.get(), input);
            if (written > 0) {
                input.remove_prefix(static_cast<std::size_t>(written));
            } else if (written < 0 && errno != EAGAIN) {
                // EPIPE: the command closed its standard input without reading all of it. How it
                // exits says whether that was a failure.
                input = {};
                input_fd.reset();
            }
        }
        // Also when the pipe was ready: a command that reads a large input slowly must not get
        // past the deadline.
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
    }
}

ProcessEnd reap(pid_t pid) {
    running_group.store(0);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ProcessEnd end;
    if (WIFSIGNALED(status)) {
        end.how = ProcessEnd::How::signalled;
        end.code = WTERMSIG(status);
    } else {
        end.how = ProcessEnd::How::exited;
        end.code = WEXITSTATUS(status);
    }
    return end;
}

}  // namespace

bool ProcessEnd::succeeded() const { return how == How::exited && code == 0; }

std::string ProcessEnd::describe() const {
    switch (how) {
        case How::exited:
            return fmt::format("exited with status {}", code);
        case How::signalled: {
            const char* abbreviation = ::sigabbrev_np(code);
            if (abbreviation == nullptr) {
                return fmt::format("was killed by signal {}", code);
            }
            return fmt::format("was killed by signal {} (SIG{})", code, abbreviation);
        }
        case How::timed_out:
            return fmt::format("timed out after {} s and was killed", std::chrono::duration<double>(timeout).count());
        case How::not_started:
            break;
    }
    return fmt::format("could not be started: {}", problem);
}

ProcessEnd run_shell_command(const ShellCommand& command) {
    auto environment = child_environment(command);
    if (!environment) {
        return not_started(EINVAL);
    }
    const std::vector<char*> envp = pointers_to(*environment);
    std::vector<std::string> arguments = {"sh", "-c", command.command};
    const std::vector<char*> argv = pointers_to(arguments);

    int pipe_ends[2];
    // Close-on-exec, so that a command another thread starts meanwhile does not get them.
    if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
        return not_started(errno);
    }
    Descriptor read_end(pipe_ends[0]);
    Descriptor write_end(pipe_ends[1]);
    // Our end only does not block, so that a command that never reads cannot stall the time-out.
    if (::fcntl(write_end.get(), F_SETFL, O_NONBLOCK) != 0) {
        return not_started(errno);
    }

    // Blocked across fork, so that no handler of aktoken runs in the child before it has put the
    // defaults back (as posix_spawn does).
    sigset_t all_signals;
    sigfillset(&all_signals);
    sigset_t previous_mask;
    ::pthread_sigmask(SIG_SETMASK, &all_signals, &previous_mask);
    const pid_t pid = ::fork();
    if (pid == 0) {
        become_shell(read_end.get(), argv.data(), envp.data());
    }
    const int fork_error = errno;
    ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    if (pid < 0) {
        return not_started(fork_error);
    }
    // Also here, so that the group exists before any signal is sent to it, whichever runs first;
    // fails harmlessly once the child has called exec.
    ::setpgid(pid, pid);
    running_group.store(pid);
    read_end.reset();

    const auto started = std::chrono::steady_clock::now();
    // The system call rather than glibc's pidfd_open: bookworm's glibc 2.36 declares that without
    // extern "C" (fixed in 2.37), so C++ cannot link it. The kernel makes it close-on-exec.
    const Descriptor pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (pidfd.get() < 0) {
        // Without it the child cannot be waited for with a time-out; it has not been given its
        // input yet, so it goes.
        const int error = errno;
        ::kill(-pid, SIGKILL);
        reap(pid);
        return not_started(error);
    }

    std::string_view input = command.input;
    if (wait_for_exit(pidfd.get(), started + command.timeout, write_end, input)) {
        return reap(pid);
    }
    write_end.reset();
    ::kill(-pid, SIGTERM);
    // A stopped process (one that read from the terminal in the background, say) only acts on
    // SIGTERM once continued, as kill(1) and shells do it.
    ::kill(-pid, SIGCONT);
    wait_for_exit(pidfd.get(), std::chrono::steady_clock::now() + command.termination_grace, write_end, input);
    // The grace is the shell's: what it leaves behind in its group goes now, while the unreaped
    // shell still holds the group id.
    ::kill(-pid, SIGKILL);
    reap(pid);
    ProcessEnd end;
    end.how = ProcessEnd::How::timed_out;
    end.timeout = command.timeout;
    return end;
}

void terminate_running_shell_command() {
    const pid_t group = running_group.load();
    if (group > 0) {
        ::kill(-group, SIGTERM);
    }
}

}  // namespace aktoken::util

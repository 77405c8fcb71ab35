// SPDX-License-Identifier: MIT
#include "aktoken/commands/parallel.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <istream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "aktoken/commands/token_fields.h"
#include "aktoken/output/records.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"

namespace aktoken::commands {
namespace {

struct Slot {
    bool done = false;
    std::string out;
    std::string err;
    std::exception_ptr failure;
};

}  // namespace

int parallel_value(const std::string& text) {
    std::string problem;
    const auto value = util::parse_count(text, {1, kMaxParallel, "a number of workers"}, &problem);
    if (!value) {
        util::invalid_value("--parallel", text, problem);
    }
    return static_cast<int>(*value);
}

namespace {

// Splits --from-file input into identifiers as it arrives, so that no copy of the whole input
// is ever held, and stops at the input ceilings.
class IdentifierReader {
public:
    IdentifierReader(std::vector<std::string>& identifiers, std::string origin)
        : identifiers_(identifiers), origin_(std::move(origin)) {}

    void add(std::string_view chunk) {
        read_ += chunk.size();
        if (read_ > kMaxIdentifierInputBytes) {
            throw Error(ErrorKind::usage, fmt::format("--from-file: {} holds more than {} MiB, the most aktoken "
                                                      "reads of identifiers",
                                                      origin_, kMaxIdentifierInputBytes >> 20));
        }
        while (!chunk.empty()) {
            const std::size_t end = chunk.find('\n');
            line_.append(chunk.substr(0, end));
            if (end == std::string_view::npos) {
                return;
            }
            chunk.remove_prefix(end + 1);
            end_line();
        }
    }

    void finish() { end_line(); }

private:
    void end_line() {
        if (!util::is_valid_utf8(line_)) {
            throw Error(ErrorKind::usage, fmt::format("--from-file: {} is not text in UTF-8", util::quoted(origin_)));
        }
        const std::string_view identifier = util::trim(line_);
        if (!identifier.empty() && identifier.front() != '#') {
            if (++taken_ > kMaxIdentifiers) {
                throw Error(ErrorKind::usage, fmt::format("--from-file: {} holds more than {} identifiers, the most "
                                                          "aktoken takes at once",
                                                          origin_, kMaxIdentifiers));
            }
            identifiers_.emplace_back(identifier);
        }
        line_.clear();
    }

    std::vector<std::string>& identifiers_;
    std::string origin_;
    std::string line_;
    std::size_t read_ = 0;
    std::size_t taken_ = 0;
};

// Closes the descriptor on every way out.
class OpenFile {
public:
    explicit OpenFile(int fd) : fd_(fd) {}
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile() { ::close(fd_); }

private:
    int fd_;
};

void read_identifier_file(const std::string& path, IdentifierReader& reader) {
    const auto fail = [&](int error) {
        // Unreadable, a directory...: a bad argument, like a missing file.
        return Error(ErrorKind::usage,
                     error == ENOENT
                         ? fmt::format("--from-file: cannot read {}: {}", path, std::strerror(error))
                         : fmt::format("--from-file: cannot read identifier file {}: {}", path, std::strerror(error)));
    };
    // O_NOCTTY: a path naming a terminal must not become our controlling terminal.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        throw fail(errno);
    }
    const OpenFile file(fd);
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        throw fail(errno);
    }
    if (S_ISDIR(info.st_mode)) {
        throw fail(EISDIR);
    }
    std::array<char, 65536> chunk{};
    while (true) {
        const ssize_t n = ::read(fd, chunk.data(), chunk.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            throw fail(errno);
        }
        if (n == 0) {
            break;
        }
        reader.add(std::string_view(chunk.data(), static_cast<std::size_t>(n)));
    }
}

}  // namespace

std::vector<std::string> collect_identifiers(const std::vector<std::string>& arguments,
                                             const std::optional<std::string>& from_file, std::istream& stdin_stream) {
    std::vector<std::string> identifiers = arguments;
    if (!from_file) {
        return identifiers;
    }
    IdentifierReader reader(identifiers, *from_file == "-" ? std::string("standard input") : *from_file);
    if (*from_file == "-") {
        std::array<char, 65536> chunk{};
        while (stdin_stream.read(chunk.data(), chunk.size()) || stdin_stream.gcount() > 0) {
            reader.add(std::string_view(chunk.data(), static_cast<std::size_t>(stdin_stream.gcount())));
        }
        if (stdin_stream.bad()) {
            throw Error(ErrorKind::usage, "--from-file: cannot read standard input");
        }
    } else {
        read_identifier_file(*from_file, reader);
    }
    reader.finish();
    return identifiers;
}

void BulkArguments::define(Arguments& arguments, bool with_from_file, std::string_view parallel_help) {
    arguments.arguments("IDENTIFIER", identifiers, "Token identifiers");
    if (with_from_file) {
        arguments.option("--from-file", from_file, "Also take identifiers from FILE, one a line ('-': stdin)", "FILE");
    }
    arguments.option("--parallel", parallel_text, parallel_help, "N");
}

void BulkArguments::collect(const Preparation& preparation, bool required) {
    if (parallel_text) {
        parallel = parallel_value(*parallel_text);
    }
    if (from_file == "-" && preparation.token_from_stdin) {
        throw Error(ErrorKind::usage, "--from-file - and --token-file - cannot both read standard input");
    }
    identifiers = collect_identifiers(identifiers, from_file, preparation.in);
    // A generated list that came out empty (nothing expired tonight) is no mistake: see
    // nothing_to_do().
    if (identifiers.empty() && required && !from_file) {
        throw Error(ErrorKind::usage, "IDENTIFIER is required");
    }
    check_identifiers(identifiers);
}

Result nothing_to_do(Context& context, const BulkArguments& bulk) {
    note(context, fmt::format("nothing to do: --from-file {} holds no identifier", bulk.from_file.value_or("")));
    // What the format prints for no record at all: json `[]`, the others nothing.
    output::View view;
    view.text = output::View::Text::lines;
    view.line_field = "line";
    context.out << output::render({}, context.format, context.style, view);
    return {};
}

void run_in_order(Context& context, std::size_t count, const std::function<void(std::size_t, Context&)>& work,
                  const std::function<bool()>& stop, const std::function<void(std::size_t)>& in_order) {
    const std::size_t workers =
        context.sessions ? std::min<std::size_t>(static_cast<std::size_t>(std::max(context.parallel, 1)), count) : 1;
    if (workers <= 1) {
        for (std::size_t index = 0; index < count && !(stop && stop()); ++index) {
            std::ostringstream out;
            std::ostringstream err;
            Context item{context.client, context.format, context.style, out, err, context.err_color, {}, 1};
            item.quiet = context.quiet;
            try {
                work(index, item);
            } catch (...) {
                context.err << err.str();
                context.out << out.str();
                throw;
            }
            context.err << err.str();
            context.out << out.str();
            if (in_order) {
                in_order(index);
            }
            context.out.flush();
        }
        return;
    }
    // Items may finish out of order; a bounded window keeps finished output from piling up
    // behind a slow item.
    const std::size_t window = workers * 2;
    // One slot per item of the window, reused round the ring: a million identifiers must not
    // cost a million slots.
    std::vector<Slot> slots(std::min(window, count));
    const auto slot_of = [&](std::size_t index) -> Slot& { return slots[index % slots.size()]; };
    std::mutex mutex;
    std::condition_variable changed;
    std::size_t next = 0;
    std::size_t printed = 0;
    // No item starts past the first failure (in index order) or once `stop` said so.
    std::size_t end = count;

    auto worker = [&](api::Client& client) {
        while (true) {
            std::size_t index = 0;
            {
                std::unique_lock<std::mutex> lock(mutex);
                changed.wait(lock, [&] { return next >= end || next < printed + window; });
                if (next >= end) {
                    return;
                }
                if (stop && stop()) {
                    end = next;
                    changed.notify_all();
                    return;
                }
                index = next++;
            }
            std::ostringstream out;
            std::ostringstream err;
            Context item{client, context.format, context.style, out, err, context.err_color, {}, 1};
            item.quiet = context.quiet;
            std::exception_ptr item_failure;
            try {
                work(index, item);
            } catch (...) {
                item_failure = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(mutex);
            slot_of(index) = {true, out.str(), err.str(), item_failure};
            if (item_failure) {
                end = std::min(end, index + 1);
            }
            changed.notify_all();
        }
    };

    // Every session is opened before any thread starts, so that a failure to open one leaves no
    // thread to join.
    std::vector<std::unique_ptr<api::Session>> sessions;
    for (std::size_t i = 1; i < workers; ++i) {
        sessions.push_back(context.sessions());
    }
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (const auto& session : sessions) {
        threads.emplace_back(worker, std::ref(session->client()));
    }
    // The calling thread only prints, in order.
    threads.emplace_back(worker, std::ref(context.client));
    std::exception_ptr failure;
    try {
        std::unique_lock<std::mutex> lock(mutex);
        while (printed < count) {
            changed.wait(lock, [&] { return slot_of(printed).done || (printed >= end && next <= printed); });
            if (!slot_of(printed).done) {
                break;
            }
            Slot slot = std::exchange(slot_of(printed), Slot{});
            const std::size_t index = printed++;
            lock.unlock();
            context.err << slot.err;
            context.out << slot.out;
            if (in_order && !slot.failure) {
                in_order(index);
            }
            context.out.flush();
            lock.lock();
            changed.notify_all();
            if (slot.failure) {
                failure = slot.failure;
                break;
            }
        }
    } catch (...) {
        failure = std::current_exception();
    }
    {
        std::lock_guard<std::mutex> lock(mutex);
        end = std::min(end, next);
        changed.notify_all();
    }
    for (std::thread& thread : threads) {
        thread.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

}  // namespace aktoken::commands

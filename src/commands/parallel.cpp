// SPDX-License-Identifier: MIT
#include "aktoken/commands/parallel.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <istream>
#include <iterator>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "aktoken/commands/token_fields.h"
#include "aktoken/util/files.h"
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

std::vector<std::string> collect_identifiers(const std::vector<std::string>& arguments,
                                             const std::optional<std::string>& from_file, std::istream& stdin_stream) {
    std::vector<std::string> identifiers = arguments;
    if (!from_file) {
        return identifiers;
    }
    std::string text;
    if (*from_file == "-") {
        text =
            std::string(util::read_capped(stdin_stream, util::max_read_size, "--from-file -", ErrorKind::usage).view());
    } else {
        std::optional<std::string> content;
        try {
            content = util::read_file_if_exists(*from_file, "identifier file");
        } catch (const Error& e) {
            // Unreadable, a directory...: a bad argument, like a missing file.
            throw Error(ErrorKind::usage, fmt::format("--from-file: {}", e.what()));
        }
        if (!content) {
            throw Error(ErrorKind::usage,
                        fmt::format("--from-file: cannot read {}: No such file or directory", *from_file));
        }
        text = std::move(*content);
    }
    if (!util::is_valid_utf8(text)) {
        throw Error(ErrorKind::usage, fmt::format("--from-file: {} is not text in UTF-8", util::quoted(*from_file)));
    }
    for (const std::string& line : util::split(text, '\n')) {
        std::string_view identifier = util::trim(line);
        if (!identifier.empty() && identifier.front() != '#') {
            identifiers.emplace_back(identifier);
        }
    }
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
    if (identifiers.empty() && (required || from_file)) {
        throw Error(ErrorKind::usage, from_file ? fmt::format("--from-file: {} holds no identifier", *from_file)
                                                : std::string("IDENTIFIER is required"));
    }
    check_identifiers(identifiers);
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
            try {
                work(index, item);
            } catch (...) {
                context.err << err.str();
                context.out << out.str();
                throw;
            }
            if (in_order) {
                in_order(index);
            }
            context.err << err.str();
            context.out << out.str();
            context.out.flush();
        }
        return;
    }
    // Items may finish out of order; a bounded window keeps finished output from piling up
    // behind a slow item.
    const std::size_t window = workers * 2;
    std::vector<Slot> slots(count);
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
            std::exception_ptr item_failure;
            try {
                work(index, item);
            } catch (...) {
                item_failure = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(mutex);
            slots[index] = {true, out.str(), err.str(), item_failure};
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
            changed.wait(lock, [&] { return slots[printed].done || (printed >= end && next <= printed); });
            if (!slots[printed].done) {
                break;
            }
            Slot slot = std::move(slots[printed]);
            const std::size_t index = printed++;
            lock.unlock();
            if (in_order && !slot.failure) {
                in_order(index);
            }
            context.err << slot.err;
            context.out << slot.out;
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

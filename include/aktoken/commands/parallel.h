// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "aktoken/commands/command.h"
#include "aktoken/commands/context.h"

namespace aktoken::commands {

// What --from-file reads at most, from a file or from standard input alike: 1,000,000
// identifiers of up to 63 characters fit, and so little memory that no bulk command gets near
// aktoken's 256 MiB ceiling. More is refused before anything is sent (exit 2).
inline constexpr std::size_t kMaxIdentifierInputBytes = std::size_t{64} << 20;
inline constexpr std::size_t kMaxIdentifiers = 1'000'000;

// The most workers --parallel allows, and how many work without it.
inline constexpr int kMaxParallel = 16;
inline constexpr int kDefaultParallel = 4;

// The identifiers a bulk command works on: IDENTIFIER arguments, --from-file, --parallel.
struct BulkArguments {
    std::vector<std::string> identifiers;
    std::optional<std::string> from_file;
    std::optional<std::string> parallel_text;
    int parallel = kDefaultParallel;

    // Declares IDENTIFIER..., --from-file (unless `from_file` is false) and --parallel.
    void define(Arguments& arguments, bool from_file = true,
                std::string_view parallel_help = "Work on N tokens at once, 1 to 16 (default 4)");
    // Checks --parallel and the identifiers, reading --from-file; at least one IDENTIFIER
    // argument when `required` and no --from-file is given. An empty --from-file is accepted:
    // see nothing_to_do(). Throws Error(usage).
    void collect(const Preparation& preparation, bool required = true);
    // Whether --from-file was given and, with the arguments, holds no identifier: the command
    // has nothing to do (exit 0). Where identifiers are optional (check) that selects no token,
    // never "every token".
    bool nothing_to_do() const { return identifiers.empty() && from_file.has_value(); }
};

// The run of a bulk command with nothing_to_do(): a note on the error stream, and on standard
// output what the format shows for no token (json `[]`, the others nothing).
Result nothing_to_do(Context& context, const BulkArguments& bulk);

// Checks a --parallel value (1 to 16) and returns it; throws Error(usage).
int parallel_value(const std::string& text);

// The identifiers of a bulk command: the arguments, then those of --from-file (one a line,
// `-` for standard input; blank lines and lines starting with # are skipped). Throws
// Error(usage) past kMaxIdentifierInputBytes or kMaxIdentifiers.
std::vector<std::string> collect_identifiers(const std::vector<std::string>& arguments,
                                             const std::optional<std::string>& from_file, std::istream& stdin_stream);

// Runs `work(index, item_context)` for every index below `count` on up to context.parallel
// workers, each with a client of its own (the first worker uses the context's client). What an
// item writes to its context's streams is printed in index order, as soon as all earlier items
// are done; at most a window of items runs ahead of the printing, so memory stays bounded.
// `stop` (optional) is asked before an item starts; once it answers true no further item starts.
// `in_order` (optional) is called on the calling thread for each item that succeeded, in index
// order, right after its text is printed. When items throw, no item after the first failing one (in
// index order) starts; the items before it are printed, then its output, and its exception is
// rethrown once every running item has ended.
void run_in_order(Context& context, std::size_t count, const std::function<void(std::size_t, Context&)>& work,
                  const std::function<bool()>& stop = {}, const std::function<void(std::size_t)>& in_order = {});

// run_in_order for work that yields a value: `produce` runs on the workers, and `consume` takes
// the values in index order on the calling thread. Only the values between the printing and the
// window ahead of it are held at once, however many items there are.
template <typename T>
void run_in_order_with(Context& context, std::size_t count, const std::function<T(std::size_t, Context&)>& produce,
                       const std::function<void(std::size_t, T&)>& consume) {
    std::mutex mutex;
    std::unordered_map<std::size_t, T> done;
    run_in_order(
        context, count,
        [&](std::size_t index, Context& item) {
            T value = produce(index, item);
            std::lock_guard<std::mutex> lock(mutex);
            done.emplace(index, std::move(value));
        },
        {},
        [&](std::size_t index) {
            std::unique_lock<std::mutex> lock(mutex);
            auto node = done.extract(index);
            lock.unlock();
            consume(index, node.mapped());
        });
}

}  // namespace aktoken::commands

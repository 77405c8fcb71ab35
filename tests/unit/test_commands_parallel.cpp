// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <vector>

#include "aktoken/api/client.h"
#include "aktoken/commands/parallel.h"
#include "unit/temp_dir.h"

using namespace aktoken;
using commands::collect_identifiers;
using commands::parallel_value;
using commands::run_in_order;
using namespace std::chrono_literals;

namespace {

using test::TempDir;

// The message and kind of the error parallel_value throws, or "accepted".
std::string refusal_of(const std::string& text) {
    try {
        parallel_value(text);
    } catch (const Error& e) {
        CHECK(e.kind() == ErrorKind::usage);
        return e.what();
    }
    return "accepted";
}

// Every request any transport of a run received: which client sent it, from which thread.
struct Sent {
    const api::Client* client = nullptr;
    std::thread::id thread;
    std::string url;
};

struct SentLog {
    std::mutex mutex;
    std::vector<Sent> sent;
};

// Answers every GET of a token with that token (its identifier taken from the URL) and logs it.
class EchoTransport : public http::Transport {
public:
    explicit EchoTransport(SentLog& log) : log_(log) {}
    void attach(const api::Client* client) { client_ = client; }

    http::Response send(const http::Request& request) override {
        {
            std::lock_guard<std::mutex> lock(log_.mutex);
            log_.sent.push_back({client_, std::this_thread::get_id(), request.url});
        }
        const std::string prefix = "http://h/api/v3/core/tokens/";
        std::string identifier = request.url.substr(prefix.size());
        identifier.pop_back();  // the trailing slash
        return {200,
                {},
                fmt::format(R"({{"pk":"p-{}","managed":null,"identifier":"{}","intent":"api","user":2,)"
                            R"("description":"","expires":null,"expiring":false}})",
                            identifier, identifier),
                0};
    }

private:
    SentLog& log_;
    const api::Client* client_ = nullptr;
};

std::shared_ptr<api::Credentials> credentials() {
    return std::make_shared<api::Credentials>([] { return util::Secret("k"); });
}

// A Session over an EchoTransport of its own, as --parallel opens them.
class FakeSession : public api::Session {
public:
    explicit FakeSession(SentLog& log) : transport_(log) { transport_.attach(&client_); }
    api::Client& client() override { return client_; }

private:
    EchoTransport transport_;
    api::Client client_{transport_, "http://h/api/v3", credentials()};
};

struct Fixture {
    SentLog log;
    EchoTransport transport{log};
    api::Client client{transport, "http://h/api/v3", credentials()};
    std::ostringstream out;
    std::ostringstream err;
    std::atomic<int> sessions_opened{0};

    Fixture() { transport.attach(&client); }

    // A context with `parallel` workers whose sessions are FakeSessions (none when `sessions` is false).
    commands::Context context(int parallel, bool sessions = true) {
        commands::Context c{client, output::Format::tsv, {}, out, err, false};
        c.parallel = parallel;
        if (sessions) {
            c.sessions = [this]() -> std::unique_ptr<api::Session> {
                ++sessions_opened;
                return std::make_unique<FakeSession>(log);
            };
        }
        return c;
    }
};

// The lines "STREAM N\n" for N from `from` to `to` - 1: what print_item writes to each stream.
std::string lines(const char* stream, std::size_t from, std::size_t to) {
    std::string text;
    for (std::size_t i = from; i < to; ++i) {
        text += fmt::format("{} {}\n", stream, i);
    }
    return text;
}

// Writes "out N" and "err N" lines to the item's streams.
void print_item(std::size_t index, commands::Context& item) {
    item.out << fmt::format("out {}\n", index);
    item.err << fmt::format("err {}\n", index);
}

// Waits (at most 10 s, so that a broken runner fails instead of hanging) until `ready` holds.
// Returns whether it did.
bool wait_until(std::mutex& mutex, std::condition_variable& changed, const std::function<bool()>& ready) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, 10s, ready);
}

std::vector<std::size_t> iota(std::size_t count) {
    std::vector<std::size_t> values;
    for (std::size_t i = 0; i < count; ++i) {
        values.push_back(i);
    }
    return values;
}

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("parallel: --parallel takes a number of workers from 1 to 16") {
        CHECK(commands::kMaxParallel == 16);
        CHECK(parallel_value("1") == 1);
        CHECK(parallel_value("4") == 4);
        CHECK(parallel_value("16") == 16);
        CHECK(parallel_value("04") == 4);
        for (const char* text :
             {"0", "17", "x", "", "-1", "+4", " 4", "4 ", "4x", "1.5", "1e1", "00", "99999999999999999999999"}) {
            CAPTURE(text);
            CHECK(refusal_of(text) ==
                  fmt::format("--parallel: invalid value \"{}\": expected a number of workers from 1 to 16", text));
        }
    }

    TEST_CASE("parallel: identifiers are the arguments, then the lines of --from-file") {
        TempDir dir;
        std::istringstream unused_stdin("from-stdin\n");

        SUBCASE("arguments only: standard input is not read") {
            CHECK(collect_identifiers({"a", "b"}, std::nullopt, unused_stdin) == std::vector<std::string>{"a", "b"});
            CHECK(collect_identifiers({}, std::nullopt, unused_stdin).empty());
            std::string left;
            std::getline(unused_stdin, left);
            CHECK(left == "from-stdin");
        }
        SUBCASE("a file: blank lines, lines starting with # and surrounding spaces are dropped") {
            const std::string path = dir.write(
                "ids", "c\n\n# a comment\n  d  \n\t\n   # an indented comment\r\ne\r\n\r\nf#not-a-comment\ng");
            CHECK(collect_identifiers({"a", "b"}, path, unused_stdin) ==
                  std::vector<std::string>{"a", "b", "c", "d", "e", "f#not-a-comment", "g"});
            std::string left;
            std::getline(unused_stdin, left);
            CHECK(left == "from-stdin");
        }
        SUBCASE("- reads standard input to its end") {
            std::istringstream in("x\n# skipped\n\ny\n");
            CHECK(collect_identifiers({"w"}, std::string("-"), in) == std::vector<std::string>{"w", "x", "y"});
            CHECK(in.get() == std::istringstream::traits_type::eof());  // read to its end
        }
        SUBCASE("a file with no identifier gives what the arguments give; the caller decides") {
            const std::string path = dir.write("empty", "\n# nothing here\n   \n");
            CHECK(collect_identifiers({}, path, unused_stdin).empty());
            CHECK(collect_identifiers({"a"}, path, unused_stdin) == std::vector<std::string>{"a"});
            std::istringstream empty_stdin("");
            CHECK(collect_identifiers({}, std::string("-"), empty_stdin).empty());
        }
        SUBCASE("duplicates are kept (check_identifiers refuses them later)") {
            std::istringstream in("a\n");
            CHECK(collect_identifiers({"a"}, std::string("-"), in) == std::vector<std::string>{"a", "a"});
        }
        SUBCASE("a missing file is a usage error") {
            const std::string path = fmt::format("{}/missing", dir.path());
            try {
                collect_identifiers({"a"}, path, unused_stdin);
                FAIL("no error");
            } catch (const Error& e) {
                CHECK(e.kind() == ErrorKind::usage);
                CHECK(std::string(e.what()) ==
                      fmt::format("--from-file: cannot read {}: No such file or directory", path));
            }
        }
    }

    TEST_CASE("parallel: count 0 runs nothing, opens nothing and prints nothing") {
        Fixture f;
        commands::Context context = f.context(4);
        bool worked = false;
        bool ordered = false;
        run_in_order(
            context, 0, [&](std::size_t, commands::Context&) { worked = true; }, [] { return false; },
            [&](std::size_t) { ordered = true; });
        CHECK_FALSE(worked);
        CHECK_FALSE(ordered);
        CHECK(f.sessions_opened == 0);
        CHECK(f.out.str() == "");
        CHECK(f.err.str() == "");
        CHECK(f.log.sent.empty());
    }

    TEST_CASE("parallel: --parallel 1, or no session factory, works one item at a time on the calling thread") {
        for (const bool with_factory : {true, false}) {
            CAPTURE(with_factory);
            Fixture f;
            commands::Context context = f.context(with_factory ? 1 : 8, with_factory);
            const auto caller = std::this_thread::get_id();
            std::vector<std::size_t> order;
            std::vector<std::size_t> in_order;
            run_in_order(
                context, 5,
                [&](std::size_t index, commands::Context& item) {
                    CHECK(std::this_thread::get_id() == caller);
                    CHECK(&item.client == &f.client);
                    // Everything before this item is already printed: nothing waits for later work.
                    CHECK(f.out.str() == lines("out", 0, index));
                    order.push_back(index);
                    item.client.get_token(fmt::format("t{}", index));
                    print_item(index, item);
                },
                {}, [&](std::size_t index) { in_order.push_back(index); });
            CHECK(order == iota(5));
            CHECK(in_order == iota(5));
            CHECK(f.sessions_opened == 0);
            CHECK(f.out.str() == lines("out", 0, 5));
            CHECK(f.err.str() == lines("err", 0, 5));
            REQUIRE(f.log.sent.size() == 5);
            for (std::size_t i = 0; i < 5; ++i) {
                CHECK(f.log.sent[i].url == fmt::format("http://h/api/v3/core/tokens/t{}/", i));
                CHECK(f.log.sent[i].client == &f.client);
            }
        }
    }

    TEST_CASE("parallel: output is printed in index order although items finish out of order") {
        Fixture f;
        commands::Context context = f.context(4);
        constexpr std::size_t kCount = 12;
        std::mutex mutex;
        std::condition_variable changed;
        std::vector<std::size_t> finished;
        std::set<const api::Client*> clients_of_first_items;
        std::size_t first_items_met = 0;
        bool item_zero_waited = false;
        run_in_order(context, kCount, [&](std::size_t index, commands::Context& item) {
            item.client.get_token(fmt::format("t{:02}", index));
            if (index < 4) {
                // Items 0 to 3 meet: four workers run at once, each with a client of its own.
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    clients_of_first_items.insert(&item.client);
                    ++first_items_met;
                    changed.notify_all();
                }
                CHECK(wait_until(mutex, changed, [&] { return first_items_met == 4; }));
            }
            if (index == 0) {
                // Item 0 ends only after three later items, which the other workers did meanwhile.
                item_zero_waited = wait_until(mutex, changed, [&] { return finished.size() >= 3; });
            } else if (index < 4) {
                // The early items are the slow ones: later items overtake them.
                std::this_thread::sleep_for(std::chrono::milliseconds(5 * (4 - index)));
            }
            print_item(index, item);
            std::lock_guard<std::mutex> lock(mutex);
            finished.push_back(index);
            changed.notify_all();
        });
        CHECK(item_zero_waited);
        REQUIRE(finished.size() == kCount);
        CHECK(finished != iota(kCount));  // they did finish out of order
        CHECK(f.out.str() == lines("out", 0, kCount));
        CHECK(f.err.str() == lines("err", 0, kCount));
        // Workers capped at 4: three sessions besides the context's client, each its own client.
        CHECK(f.sessions_opened == 3);
        CHECK(clients_of_first_items.size() == 4);
        CHECK(clients_of_first_items.count(&f.client) == 1);
        // Every token asked for exactly once, each client used by a single thread.
        std::multiset<std::string> urls;
        std::map<const api::Client*, std::set<std::thread::id>> threads_of;
        for (const Sent& sent : f.log.sent) {
            urls.insert(sent.url);
            threads_of[sent.client].insert(sent.thread);
        }
        std::multiset<std::string> expected;
        for (std::size_t i = 0; i < kCount; ++i) {
            expected.insert(fmt::format("http://h/api/v3/core/tokens/t{:02}/", i));
        }
        CHECK(urls == expected);
        for (const auto& [client, threads] : threads_of) {
            CHECK(threads.size() == 1);
            CHECK(threads.count(std::this_thread::get_id()) == 0);  // the calling thread only prints
        }
    }

    TEST_CASE("parallel: only a bounded window of items runs ahead of a slow one") {
        Fixture f;
        commands::Context context = f.context(4);
        constexpr std::size_t kCount = 64;
        std::mutex mutex;
        std::condition_variable changed;
        std::size_t finished = 0;
        std::size_t highest_started = 0;
        std::size_t highest_while_zero_ran = kCount;
        bool item_zero_waited = false;
        run_in_order(context, kCount, [&](std::size_t index, commands::Context& item) {
            {
                std::lock_guard<std::mutex> lock(mutex);
                highest_started = std::max(highest_started, index);
            }
            if (index == 0) {
                // The other workers go on meanwhile; give an unbounded runner every chance to run
                // through all the rest.
                item_zero_waited = wait_until(mutex, changed, [&] { return finished >= 3; });
                std::this_thread::sleep_for(30ms);
                std::lock_guard<std::mutex> lock(mutex);
                highest_while_zero_ran = highest_started;
            }
            print_item(index, item);
            std::lock_guard<std::mutex> lock(mutex);
            ++finished;
            changed.notify_all();
        });
        CHECK(item_zero_waited);
        CHECK(highest_while_zero_ran >= 3);
        CHECK(highest_while_zero_ran < 16);  // a few times the number of workers, not all 64
        CHECK(f.out.str() == lines("out", 0, kCount));
    }

    TEST_CASE("parallel: workers are capped by the number of items") {
        for (const auto& row :
             std::vector<std::tuple<int, std::size_t, int>>{{16, 3, 2}, {4, 2, 1}, {4, 1, 0}, {16, 16, 15}}) {
            // Not structured bindings: clang 14 cannot capture those in the lambdas below.
            const int parallel = std::get<0>(row);
            const std::size_t count = std::get<1>(row);
            const int opened = std::get<2>(row);
            CAPTURE(parallel);
            CAPTURE(count);
            Fixture f;
            commands::Context context = f.context(parallel);
            std::mutex mutex;
            std::condition_variable changed;
            std::size_t running = 0;
            std::size_t all_running = 0;
            std::set<const api::Client*> clients;
            run_in_order(context, count, [&](std::size_t index, commands::Context& item) {
                {
                    std::lock_guard<std::mutex> lock(mutex);
                    clients.insert(&item.client);
                    ++running;
                    changed.notify_all();
                }
                // Every item waits until all are running at once: `count` workers really run.
                if (wait_until(mutex, changed, [&] { return running == count; })) {
                    std::lock_guard<std::mutex> lock(mutex);
                    ++all_running;
                }
                print_item(index, item);
            });
            CHECK(f.sessions_opened == opened);
            CHECK(all_running == count);
            CHECK(clients.size() == count);
            CHECK(f.out.str() == lines("out", 0, count));
        }
    }

    TEST_CASE("parallel: in_order runs on the calling thread in index order, right after the item's text") {
        Fixture f;
        commands::Context context = f.context(4);
        const auto caller = std::this_thread::get_id();
        std::vector<std::size_t> called;
        std::vector<std::string> out_when_called;
        std::atomic<bool> other_thread{false};
        run_in_order(
            context, 10,
            [&](std::size_t index, commands::Context& item) {
                if (std::this_thread::get_id() == caller) {
                    other_thread = true;  // not expected: items run on worker threads
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(index % 3 == 0 ? 6 : 0));
                print_item(index, item);
            },
            {},
            [&](std::size_t index) {
                CHECK(std::this_thread::get_id() == caller);
                called.push_back(index);
                out_when_called.push_back(f.out.str());
            });
        CHECK_FALSE(other_thread);
        CHECK(called == iota(10));
        REQUIRE(out_when_called.size() == 10);
        for (std::size_t i = 0; i < 10; ++i) {
            CHECK(out_when_called[i] == lines("out", 0, i + 1));
        }
        CHECK(f.out.str() == lines("out", 0, 10));
    }

    TEST_CASE("parallel: once stop answers true no further item starts") {
        SUBCASE("one worker") {
            Fixture f;
            commands::Context context = f.context(1);
            int asked = 0;
            std::vector<std::size_t> ran;
            run_in_order(
                context, 10,
                [&](std::size_t index, commands::Context& item) {
                    ran.push_back(index);
                    print_item(index, item);
                },
                [&] { return ++asked > 3; });
            CHECK(ran == iota(3));
            CHECK(asked == 4);
            CHECK(f.out.str() == lines("out", 0, 3));
            CHECK(f.err.str() == lines("err", 0, 3));
        }
        SUBCASE("four workers") {
            Fixture f;
            commands::Context context = f.context(4);
            constexpr std::size_t kCount = 60;
            std::mutex mutex;
            std::mutex stop_mutex;
            std::atomic<bool> flag{false};
            int answered_false = 0;
            int answered_true = 0;
            std::set<std::size_t> ran;
            std::vector<std::size_t> in_order;
            run_in_order(
                context, kCount,
                [&](std::size_t index, commands::Context& item) {
                    {
                        std::lock_guard<std::mutex> lock(mutex);
                        ran.insert(index);
                    }
                    if (index == 2) {
                        flag = true;
                    }
                    print_item(index, item);
                },
                [&] {
                    // Asked before an item starts, never by two workers at once.
                    std::unique_lock<std::mutex> lock(stop_mutex, std::try_to_lock);
                    CHECK(lock.owns_lock());
                    const bool stop = flag;
                    ++(stop ? answered_true : answered_false);
                    return stop;
                },
                [&](std::size_t index) { in_order.push_back(index); });
            // Each false answer started one item, the first true answer ended the run: the items
            // that ran are a prefix, and far from all of them.
            CHECK(answered_true == 1);
            CHECK(ran.size() == static_cast<std::size_t>(answered_false));
            CHECK(ran.size() >= 3);
            CHECK(ran.size() < kCount);
            const std::vector<std::size_t> prefix = iota(ran.size());
            CHECK(ran == std::set<std::size_t>(prefix.begin(), prefix.end()));
            CHECK(in_order == iota(ran.size()));
            CHECK(f.out.str() == lines("out", 0, ran.size()));
            CHECK(f.err.str() == lines("err", 0, ran.size()));
        }
    }

    TEST_CASE(
        "parallel: the first failing item's exception is rethrown after the other items end, earlier output printed") {
        SUBCASE("four workers") {
            Fixture f;
            commands::Context context = f.context(4);
            std::mutex mutex;
            std::condition_variable changed;
            bool thrown = false;
            bool item_zero_waited = false;
            std::atomic<int> running{0};
            std::atomic<int> started{0};
            std::atomic<int> ended{0};
            std::vector<std::size_t> in_order;
            CHECK_THROWS_WITH_AS(run_in_order(
                                     context, 40,
                                     [&](std::size_t index, commands::Context& item) {
                                         ++started;
                                         ++running;
                                         item.out << fmt::format("out {}\n", index);
                                         if (index == 3) {
                                             item.err << "err 3\n";
                                             --running;
                                             ++ended;
                                             std::lock_guard<std::mutex> lock(mutex);
                                             thrown = true;
                                             changed.notify_all();
                                             throw std::runtime_error("item 3 failed");
                                         }
                                         if (index == 0) {
                                             // Still running when item 3 fails: the exception must wait for it.
                                             item_zero_waited = wait_until(mutex, changed, [&] { return thrown; });
                                             std::this_thread::sleep_for(20ms);
                                         }
                                         item.err << fmt::format("err {}\n", index);
                                         --running;
                                         ++ended;
                                     },
                                     {}, [&](std::size_t index) { in_order.push_back(index); }),
                                 "item 3 failed", std::runtime_error);
            CHECK(item_zero_waited);
            CHECK(running == 0);
            CHECK(started == ended);
            CHECK(started < 40);  // no item starts once one has failed, beyond those already taken
            CHECK(in_order == iota(3));
            // Items 0 to 2 and what item 3 wrote before it threw; nothing of the items taken
            // before the failure was seen.
            CHECK(f.out.str() == lines("out", 0, 4));
            CHECK(f.err.str() == lines("err", 0, 4));
        }
        SUBCASE("two failures: the first in index order wins, whichever threw first") {
            Fixture f;
            commands::Context context = f.context(4);
            std::mutex mutex;
            std::condition_variable changed;
            bool three_threw = false;
            std::vector<std::size_t> in_order;
            CHECK_THROWS_WITH_AS(run_in_order(
                                     context, 6,
                                     [&](std::size_t index, commands::Context& item) {
                                         print_item(index, item);
                                         if (index == 3) {
                                             std::lock_guard<std::mutex> lock(mutex);
                                             three_threw = true;
                                             changed.notify_all();
                                             throw std::runtime_error("item 3 failed");
                                         }
                                         if (index == 1) {
                                             wait_until(mutex, changed, [&] { return three_threw; });
                                             throw std::runtime_error("item 1 failed");
                                         }
                                     },
                                     {}, [&](std::size_t index) { in_order.push_back(index); }),
                                 "item 1 failed", std::runtime_error);
            CHECK(three_threw);
            CHECK(in_order == iota(1));
            CHECK(f.out.str() == lines("out", 0, 2));
            CHECK(f.err.str() == lines("err", 0, 2));
        }
        SUBCASE("one worker") {
            Fixture f;
            commands::Context context = f.context(1);
            std::vector<std::size_t> ran;
            std::vector<std::size_t> in_order;
            CHECK_THROWS_WITH_AS(run_in_order(
                                     context, 6,
                                     [&](std::size_t index, commands::Context& item) {
                                         ran.push_back(index);
                                         print_item(index, item);
                                         if (index == 2) {
                                             throw Error(ErrorKind::not_found, "item 2 failed");
                                         }
                                     },
                                     {}, [&](std::size_t index) { in_order.push_back(index); }),
                                 "item 2 failed", Error);
            CHECK(ran == iota(3));
            CHECK(in_order == iota(2));
            CHECK(f.out.str() == lines("out", 0, 3));
            CHECK(f.err.str() == lines("err", 0, 3));
        }
    }

    TEST_CASE("parallel: an item's context keeps the format and style but runs nothing in parallel itself") {
        Fixture f;
        commands::Context context = f.context(3);
        context.format = output::Format::jsonl;
        context.style.terminal = true;
        context.err_color = true;
        std::atomic<int> checked{0};
        run_in_order(context, 6, [&](std::size_t, commands::Context& item) {
            CHECK(item.format == output::Format::jsonl);
            CHECK(item.style.terminal);
            CHECK(item.err_color);
            CHECK(item.parallel == 1);
            CHECK(item.sessions == nullptr);
            CHECK(&item.out != &f.out);
            CHECK(&item.err != &f.err);
            ++checked;
        });
        CHECK(checked == 6);
    }

}  // TEST_SUITE

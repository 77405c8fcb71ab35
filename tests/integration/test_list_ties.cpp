// SPDX-License-Identifier: MIT
// list --ordering over a server that, like PostgreSQL, orders equal keys differently on every
// request (aktoken-sandbox --unstable-ties): pages read apart must still hold every token once.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <set>
#include <sstream>

#include "integration/harness.h"

using namespace harness;

namespace {

constexpr int kTokens = 250;
constexpr int kSeedTokens = 8;

// 250 tokens of bob's over the four intents, so that ordering by intent ties in large groups.
std::string tied_tokens() {
    static const char* intents[] = {"api", "app_password", "recovery", "verification"};
    std::string json = "[";
    for (int i = 0; i < kTokens; ++i) {
        json += fmt::format(R"({}{{"identifier":"tie-{:03}","intent":"{}","user":3,"expiring":false}})",
                            i == 0 ? "" : ",", i, intents[i % 4]);
    }
    return json + "]";
}

}  // namespace

TEST_SUITE("integration") {
    TEST_CASE("list --ordering: a unique tie-breaker keeps parallel pages from repeating or skipping tokens") {
        Sandbox sandbox({"--unstable-ties", "--max-page-size", "30"});
        TempDir home;
        add_tokens(sandbox, tied_tokens());
        for (const char* parallel : {"1", "8"}) {
            CAPTURE(parallel);
            sandbox.clear_requests();
            const RunResult r = aktoken({"list", "--ordering", "intent", "--parallel", parallel, "-o", "id"},
                                        aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
            CHECK(r.err == "");
            std::vector<std::string> ids;
            std::istringstream stream(r.out);
            for (std::string line; std::getline(stream, line);) {
                ids.push_back(line);
            }
            const std::set<std::string> unique(ids.begin(), ids.end());
            CHECK(ids.size() == kTokens + kSeedTokens);
            CHECK(unique.size() == kTokens + kSeedTokens);
            // Sorted by intent, then identifier: the first api token, the last verification one.
            REQUIRE(ids.size() == kTokens + kSeedTokens);
            CHECK(ids.front() == "admin-api");
            CHECK(ids.back() == "tie-247");
            const auto requests = sandbox.requests();
            REQUIRE(requests.size() == 9);
            CHECK(requests[0].query == "ordering=intent%2Cidentifier&page_size=100&page=1");
        }
    }

    TEST_CASE("list --ordering: an ordering that already ends in a unique field is sent as given") {
        Sandbox sandbox;
        TempDir home;
        for (const char* ordering : {"-identifier", "intent,pk", "intent, -identifier"}) {
            CAPTURE(ordering);
            sandbox.clear_requests();
            const RunResult r =
                aktoken({"list", "--ordering", ordering, "-o", "id"}, aktoken_env(sandbox, kAdminKey, home));
            CHECK(r.exit_code == 0);
            const auto requests = sandbox.requests();
            REQUIRE(requests.size() == 1);
            std::string escaped = ordering;
            for (std::size_t at = 0; (at = escaped.find_first_of(", ", at)) != std::string::npos;) {
                escaped.replace(at, 1, escaped[at] == ',' ? "%2C" : "%20");
            }
            CHECK(requests[0].query == "ordering=" + escaped + "&page_size=100&page=1");
        }
    }
}

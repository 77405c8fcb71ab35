// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

#include "aktoken/api/client.h"
#include "aktoken/commands/list.h"
#include "unit/error_of.h"
#include "unit/fake_transport.h"

using namespace aktoken;

namespace {

std::string token_json(const std::string& identifier) {
    return fmt::format(R"({{"pk":"p","identifier":"{}","intent":"api","user":1,"description":"","expires":null,)"
                       R"("expiring":false}})",
                       identifier);
}

// A page of one token each, with the given `next` and (0: none) total_pages.
std::string page_json(std::int64_t next, std::int64_t total_pages, const std::vector<std::string>& identifiers) {
    std::string results;
    for (const std::string& identifier : identifiers) {
        results += results.empty() ? "" : ",";
        results += token_json(identifier);
    }
    if (total_pages == 0) {
        return fmt::format(R"({{"pagination":{{"next":{}}},"results":[{}]}})", next, results);
    }
    return fmt::format(R"({{"pagination":{{"next":{},"total_pages":{}}},"results":[{}]}})", next, total_pages, results);
}

struct Fixture {
    testing::FakeTransport transport;
    api::Client client{transport, "https://ak.example.com/api/v3",
                       std::make_shared<api::Credentials>([] { return util::Secret("s3cret"); })};
    std::ostringstream out;
    std::ostringstream err;

    commands::Context context() { return commands::Context{client, output::Format::table, {}, out, err, false}; }
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("list: a `next` that goes on without a page count is followed no further than the page ceiling") {
        Fixture f;
        for (std::int64_t page = 1; page <= api::kMaxListPages; ++page) {
            f.transport.answer(200, page_json(page + 1, 0, {fmt::format("t{}", page)}));
        }
        commands::Context context = f.context();
        std::size_t delivered = 0;
        const std::string error = error_of(
            [&] {
                commands::for_each_listed_page(context, commands::plan_list({}), {},
                                               [&](std::vector<model::Token>& page) { delivered += page.size(); });
            },
            ErrorKind::server);
        CHECK(error == "the token list goes on past page 10000; aktoken follows at most 10000 pages");
        CHECK(delivered == 10000);
        CHECK(f.transport.requests.size() == 10000);
        CHECK(f.transport.requests.back().url == "https://ak.example.com/api/v3/core/tokens/?page_size=100&page=10000");
    }

    TEST_CASE("list: a listing whose kept tokens outgrow the ceiling is refused; where nothing is kept it is not") {
        Fixture f;
        const std::size_t page_bytes = 2 * (sizeof(model::Token) + 2 * token_json("a").size());
        commands::ListPlan plan = commands::plan_list({});
        CHECK(plan.max_kept_bytes == commands::kMaxKeptListingBytes);
        CHECK(commands::kMaxKeptListingBytes == std::size_t{64} << 20);
        plan.max_kept_bytes = page_bytes * 2 + 1;
        f.transport.answer(200, page_json(2, 3, {"a", "b"}));
        f.transport.answer(200, page_json(3, 3, {"c", "d"}));
        f.transport.answer(200, page_json(0, 3, {"e", "f"}));
        commands::Context context = f.context();
        std::vector<std::string> seen;
        const auto keep = [&](std::vector<model::Token>& page) {
            for (const model::Token& token : page) {
                seen.push_back(token.identifier);
            }
        };
        CHECK(error_of([&] { commands::for_each_listed_page(context, plan, {}, keep); }, ErrorKind::server) ==
              fmt::format("the token list exceeds {} bytes, the most aktoken keeps of one listing; narrow it with "
                          "filters",
                          page_bytes * 2 + 1));
        CHECK(seen == std::vector<std::string>{"a", "b", "c", "d"});

        // Client-side filters and --limit count only what they keep.
        f.transport.responses.clear();
        f.transport.answer(200, page_json(2, 3, {"a", "b"}));
        f.transport.answer(200, page_json(3, 3, {"c", "d"}));
        f.transport.answer(200, page_json(0, 3, {"e", "f"}));
        seen.clear();
        plan.limit = 4;
        commands::for_each_listed_page(context, plan, {}, keep);
        CHECK(seen == std::vector<std::string>{"a", "b", "c", "d"});

        f.transport.responses.clear();
        f.transport.answer(200, page_json(2, 3, {"a", "b"}));
        f.transport.answer(200, page_json(3, 3, {"c", "d"}));
        f.transport.answer(200, page_json(0, 3, {"e", "f"}));
        seen.clear();
        plan.limit.reset();
        plan.max_kept_bytes.reset();
        commands::for_each_listed_page(context, plan, {}, keep);
        CHECK(seen == std::vector<std::string>{"a", "b", "c", "d", "e", "f"});
    }
}

// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <sstream>
#include <string>
#include <vector>

#include "aktoken/api/client.h"
#include "aktoken/commands/get.h"
#include "unit/fake_transport.h"

using namespace aktoken;

namespace {

std::string token_json(const std::string& identifier, const std::string& description = "") {
    return fmt::format(R"({{"pk":"p-{}","managed":null,"identifier":"{}","intent":"api","user":2,)"
                       R"("description":"{}","expires":null,"expiring":false}})",
                       identifier, identifier, description);
}

// The identifier a GET of one token asks for.
std::string requested(const http::Request& request) {
    const std::string path = request.url.substr(0, request.url.size() - 1);
    return path.substr(path.rfind('/') + 1);
}

struct Fixture {
    testing::FakeTransport transport;
    api::Client client{transport, "https://ak.example.com/api/v3",
                       std::make_shared<api::Credentials>([] { return util::Secret("s3cret"); })};
    std::ostringstream out;
    std::ostringstream err;

    commands::Context context(output::Format format) {
        commands::Context c{client, format, {}, out, err, false};
        c.report_error = [](std::ostream& stream, const Error& error) { stream << "error: " << error.what() << '\n'; };
        return c;
    }
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("get: each token is printed, and each failure reported, before the next one is read") {
        Fixture f;
        // What had been printed when each request went out.
        std::vector<std::string> printed;
        f.transport.respond = [&](const http::Request& request) {
            printed.push_back(f.out.str() + "|" + f.err.str());
            const std::string identifier = requested(request);
            if (identifier == "gone") {
                return http::Response{404, {}, R"({"detail":"Not found."})", 0};
            }
            return http::Response{200, {}, token_json(identifier), 0};
        };
        commands::Context context = f.context(output::Format::id);
        const commands::Result result = commands::run_get(context, {"a", "gone", "b"});
        CHECK(printed ==
              std::vector<std::string>{"|", "a\n|", "a\n|error: token \"gone\" not found (HTTP 404 Not Found)\n"});
        CHECK(f.out.str() == "a\nb\n");
        CHECK(f.err.str() == "error: token \"gone\" not found (HTTP 404 Not Found)\n");
        CHECK(result.errors.empty());
        CHECK(result.reported == std::vector<ErrorKind>{ErrorKind::not_found});
    }

    TEST_CASE("get: without a reporter the failures are kept for the end") {
        Fixture f;
        f.transport.answer(404, R"({"detail":"Not found."})");
        commands::Context context = f.context(output::Format::json);
        context.report_error = {};
        const commands::Result result = commands::run_get(context, {"gone"});
        REQUIRE(result.errors.size() == 1);
        CHECK(std::string(result.errors[0].what()) == "token \"gone\" not found (HTTP 404 Not Found)");
        CHECK(result.reported.empty());
        CHECK(f.out.str() == "");
    }

    TEST_CASE("get -o wide: past 64 MiB of kept cells it stops and names the formats that stream") {
        Fixture f;
        const std::string description(std::size_t{4} << 20, 'd');
        f.transport.respond = [&](const http::Request& request) {
            return http::Response{200, {}, token_json(requested(request), description), 0};
        };
        std::vector<std::string> identifiers;
        for (int i = 0; i < 20; ++i) {
            identifiers.push_back(fmt::format("t{}", i));
        }
        commands::Context context = f.context(output::Format::wide);
        try {
            commands::run_get(context, identifiers);
            FAIL("no error");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::server);
            CHECK(std::string(e.what()) ==
                  "the tokens exceed 64 MiB, the most aktoken keeps to align a wide table; use -o tsv or -o jsonl, "
                  "which print each token as it comes");
        }
        // Each token's description cell is 4 MiB: the 16th goes past 64 MiB.
        CHECK(f.transport.requests.size() == 16);
        CHECK(f.out.str() == "");

        // The same tokens as jsonl stream through.
        Fixture streaming;
        streaming.transport.respond = f.transport.respond;
        commands::Context jsonl = streaming.context(output::Format::jsonl);
        CHECK(commands::run_get(jsonl, identifiers).errors.empty());
        CHECK(streaming.transport.requests.size() == 20);
        CHECK(streaming.out.str().size() == 20 * (token_json("t0", description).size() + 1) + 10 * 2);
    }
}

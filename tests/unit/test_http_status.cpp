// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "aktoken/http/status.h"

using aktoken::http::status_line;
using aktoken::http::status_text;

TEST_SUITE("unit") {
    TEST_CASE("http status_line names the statuses authentik and its proxies answer with") {
        CHECK(status_line(404) == "HTTP 404 Not Found");
        CHECK(status_line(503) == "HTTP 503 Service Unavailable");
        CHECK(status_line(418) == "HTTP 418");
        CHECK(status_line(200) == "HTTP 200");
        CHECK(status_text(429) == "Too Many Requests");
        CHECK(status_text(0).empty());
    }
}

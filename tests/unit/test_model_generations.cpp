// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include "aktoken/model/generations.h"

using namespace aktoken;
using model::GenerationKind;

namespace {

util::Timestamp at(const char* text) { return *util::parse_timestamp(text); }

}  // namespace

TEST_CASE("generations: names carry the time compactly, truncated") {
    CHECK(model::successor_name("ci", at("2026-12-01T17:38:42.999Z")) == "ci--next-20261201T173842Z");
    CHECK(model::retired_name("ci", at("2026-12-08T17:39:59Z")) == "ci--retired-until-20261208T1739Z");
    CHECK(model::kMaxRotatableIdentifierLength == 225);
    CHECK(model::retired_name(std::string(225, 'a'), at("2026-12-08T17:39:00Z")).size() == 255);
}

TEST_CASE("generations: the until-time is rounded up to the minute, never shortening the overlap") {
    CHECK(model::retired_until(at("2026-12-01T17:38:42Z"), std::chrono::hours(24 * 7)) == at("2026-12-08T17:39:00Z"));
    CHECK(model::retired_until(at("2026-12-01T17:38:00Z"), std::chrono::hours(1)) == at("2026-12-01T18:38:00Z"));
    CHECK(model::retired_until(at("2026-12-01T17:38:00.000001Z"), std::chrono::hours(1)) == at("2026-12-01T18:39:00Z"));
}

TEST_CASE("generations: parsing takes exactly the forms written, after a non-empty base") {
    auto retired = model::parse_generation("ci--retired-until-20261208T1739Z");
    REQUIRE(retired);
    CHECK(retired->kind == GenerationKind::retired);
    CHECK(retired->base == "ci");
    CHECK(retired->time == at("2026-12-08T17:39:00Z"));

    auto successor = model::parse_generation("a--next-b--next-20261201T173842Z");
    REQUIRE(successor);
    CHECK(successor->kind == GenerationKind::successor);
    CHECK(successor->base == "a--next-b");
    CHECK(successor->time == at("2026-12-01T17:38:42Z"));

    // A generation of a generation belongs to the inner name.
    auto nested = model::parse_generation("ci--retired-until-20261208T1739Z--retired-until-20261215T0000Z");
    REQUIRE(nested);
    CHECK(nested->base == "ci--retired-until-20261208T1739Z");

    for (const char* not_one :
         {"ci", "--next-20261201T173842Z", "ci--next-20261201T1738Z", "ci--next-20261201T173842",
          "ci--retired-until-20261208T173900Z", "ci--retired-until-20261308T1739Z", "ci--retired-until-20260230T1739Z",
          "ci--retired-until-20261208T2460Z", "ci--next-20261201T173860Z", "ci--next-2026120xT173842Z",
          "ci--next-20261201T173842Zx", "ci-next-20261201T173842Z", "ci--retired-20261208T1739Z"}) {
        CAPTURE(not_one);
        CHECK_FALSE(model::parse_generation(not_one));
    }
}

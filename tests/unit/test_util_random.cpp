// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <array>
#include <set>
#include <string>

#include "aktoken/util/random.h"

TEST_SUITE("unit") {
    TEST_CASE("random_key has the length asked for and only [A-Za-z0-9]") {
        for (const std::size_t length : {0, 1, 6, 64, 128, 1000}) {
            CAPTURE(length);
            const auto key = aktoken::util::random_key(length);
            CHECK(key.view().size() == length);
            CHECK(key.view().find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
                  std::string_view::npos);
        }
    }

    TEST_CASE("random_key values are distinct and use the whole alphabet") {
        std::set<std::string> seen;
        std::array<int, 256> counts{};
        for (int i = 0; i < 200; ++i) {
            const auto key = aktoken::util::random_key(64);
            seen.emplace(key.view());
            for (const char c : key.view()) {
                ++counts[static_cast<unsigned char>(c)];
            }
        }
        CHECK(seen.size() == 200);
        // 12800 draws over 62 characters: each expected about 206 times; a missing one means a bug.
        int used = 0;
        for (const int count : counts) {
            used += count > 0 ? 1 : 0;
        }
        CHECK(used == 62);
        CHECK(counts['9'] > 100);
        CHECK(counts['A'] > 100);
    }

    TEST_CASE("is_generated_key_form: 32 to 512 characters of [A-Za-z0-9], as random_key makes them") {
        using aktoken::util::is_generated_key_form;
        CHECK(is_generated_key_form(aktoken::util::random_key(60).view()));
        CHECK(is_generated_key_form(std::string(32, 'a')));
        CHECK(is_generated_key_form(std::string(512, 'Z')));
        CHECK(is_generated_key_form("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"));
        CHECK_FALSE(is_generated_key_form(""));
        CHECK_FALSE(is_generated_key_form("abcde"));
        CHECK_FALSE(is_generated_key_form(std::string(31, 'a')));
        CHECK_FALSE(is_generated_key_form(std::string(513, 'a')));
        for (const char c : std::string("-_+/= \n\t\0\x7f\xc3", 11)) {
            CAPTURE(static_cast<int>(static_cast<unsigned char>(c)));
            CHECK_FALSE(is_generated_key_form(std::string(40, 'a') + c));
        }
    }
}  // TEST_SUITE

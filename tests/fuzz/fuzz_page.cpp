// SPDX-License-Identifier: MIT
// libFuzzer target: json::decode_token_page and json::decode_user_page (paginated lists).
#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

void page(std::string_view input) {
    try {
        const auto tokens = json::decode_token_page(input);
        // Each token's re-serialised JSON is what `list -o json` prints: it must decode on its own.
        for (const auto& t : tokens.results) {
            try {
                (void)json::decode_token(t.json);
            } catch (const Error& e) {
                throw InvariantViolation(std::string("a listed Token::json does not decode again: ") + e.what());
            }
        }
    } catch (const Error&) {
    }
    try {
        (void)json::decode_user_page(input);
    } catch (const Error&) {
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::page)

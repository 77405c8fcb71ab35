// SPDX-License-Identifier: MIT
// libFuzzer target: the smaller decoders (users/me, view_key, used_by, error bodies) and pretty.
#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

void json_misc(std::string_view input) {
    try {
        (void)json::decode_me(input);
    } catch (const Error&) {
    }
    try {
        (void)json::decode_key(input);
    } catch (const Error&) {
    }
    try {
        (void)json::decode_used_by(input);
    } catch (const Error&) {
    }
    // decode_error runs on whatever a failing server sends (HTML pages included) and reports
    // "not an error body" as nullopt: it must not throw at all.
    (void)json::decode_error(input);
    try {
        (void)json::pretty(input);
    } catch (const Error&) {
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::json_misc)

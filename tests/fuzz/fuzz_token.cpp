// SPDX-License-Identifier: MIT
// libFuzzer target: json::decode_token, the decoder of every single-token answer.
#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

void token(std::string_view input) {
    model::Token decoded;
    try {
        decoded = json::decode_token(input);
    } catch (const Error&) {
        return;
    }
    // What was accepted is re-serialised into Token::json, which `-o json` prints and which
    // pretty_array and with_key parse again: it must decode to the same token. (The text itself
    // may differ: doubles in unknown members are not guaranteed to round-trip bit for bit.)
    model::Token again;
    try {
        again = json::decode_token(decoded.json);
    } catch (const Error& e) {
        throw InvariantViolation(std::string("Token::json does not decode again: ") + e.what());
    }
    if (again.pk != decoded.pk || again.identifier != decoded.identifier || again.intent != decoded.intent ||
        again.user != decoded.user || again.managed != decoded.managed || again.expires != decoded.expires ||
        again.expiring != decoded.expiring || again.description != decoded.description) {
        throw InvariantViolation("Token::json decodes to a different token");
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::token)

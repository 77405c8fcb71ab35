// SPDX-License-Identifier: MIT
#pragma once

// The fuzz targets' bodies, shared by the libFuzzer executables (one per fuzz_<name>.cpp, built
// only with -DAKTOKEN_FUZZ=ON and clang) and by tests/unit/test_fuzz_regressions.cpp, which
// replays every file under tests/fuzz/regressions/<target>/ through the same function.
//
// Each function feeds one input to the parsers it covers. aktoken::Error and std::invalid_argument
// are the documented ways to reject an input and are caught; anything else escapes: in a fuzzer
// an uncaught exception aborts (a crash libFuzzer records), in the unit test it fails the check.
// A broken invariant throws aktoken::fuzz::InvariantViolation, which is deliberately not one of
// the expected exceptions.

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace aktoken::fuzz {

struct InvariantViolation : std::logic_error {
    using std::logic_error::logic_error;
};

void token(std::string_view input);        // json::decode_token
void page(std::string_view input);         // json::decode_token_page, json::decode_user_page
void json_misc(std::string_view input);    // json::decode_me, decode_key, decode_used_by, decode_error, pretty
void time(std::string_view input);         // util::parse_timestamp, parse_duration, parse_when
void ini(std::string_view input);          // config::parse_ini with the real key list
void url(std::string_view input);          // config::normalize_base_url
void redact(std::string_view input);       // http::redact_json_keys, http::redact_header
void retry_after(std::string_view input);  // http::parse_retry_after (only when its header exists)

}  // namespace aktoken::fuzz

// Defines the libFuzzer entry point for one target; a no-op outside the fuzzer executables.
#ifdef AKTOKEN_FUZZ_ENTRY_POINT
#define AKTOKEN_FUZZ_TARGET(function)                                                   \
    extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) { \
        function(std::string_view(reinterpret_cast<const char*>(data), size));          \
        return 0;                                                                       \
    }
#else
#define AKTOKEN_FUZZ_TARGET(function)
#endif

// SPDX-License-Identifier: MIT
// The only way the sandbox includes RapidJSON: misuse throws instead of asserting, so a bad
// request can never abort the server.
#pragma once

#include <stdexcept>

#define RAPIDJSON_ASSERT(x)                                     \
    do {                                                        \
        if (!(x)) {                                             \
            throw std::logic_error("rapidjson assertion: " #x); \
        }                                                       \
    } while (0)

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sandbox {
using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;
}  // namespace sandbox

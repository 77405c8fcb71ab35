// SPDX-License-Identifier: MIT
#pragma once

// RapidJSON's default assert aborts (or reads garbage under NDEBUG) on misuse; a throw lets a
// malformed answer end as a clean exit 8 instead of a crash.
#include <stdexcept>
#ifndef RAPIDJSON_ASSERT
#define RAPIDJSON_ASSERT(x)                                            \
    do {                                                               \
        if (!(x)) {                                                    \
            throw std::logic_error("rapidjson assertion failed: " #x); \
        }                                                              \
    } while (0)
#endif
#define RAPIDJSON_HAS_STDSTRING 1

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

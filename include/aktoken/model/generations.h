// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "aktoken/util/time.h"

// The names `rotate --overlap` gives a token's generations. authentik keeps one key per token,
// so an overlap needs a second token: the successor is made as ID--next-YYYYMMDDTHHMMSSZ (its
// creation time) and renamed to ID; the old token becomes ID--retired-until-YYYYMMDDTHHMMZ and
// keeps its key until then. The names are the only record of a rotation in progress, so every
// reader (rotate, prune, check, list, get) parses them here, strictly.
namespace aktoken::model {

inline constexpr std::string_view kSuccessorInfix = "--next-";
inline constexpr std::string_view kRetiredInfix = "--retired-until-";

// authentik's longest identifier, and the longest one whose generations' names fit in it.
inline constexpr std::size_t kMaxIdentifierLength = 255;
inline constexpr std::size_t kMaxRotatableIdentifierLength =
    kMaxIdentifierLength - kRetiredInfix.size() - std::string_view("YYYYMMDDTHHMMZ").size();

enum class GenerationKind { successor, retired };

struct Generation {
    GenerationKind kind = GenerationKind::successor;
    std::string base;      // the ID the generation belongs to
    util::Timestamp time;  // successor: when it was made; retired: until when its key works
};

// ID--next-YYYYMMDDTHHMMSSZ, `created` truncated to the second.
std::string successor_name(std::string_view base, util::Timestamp created);

// ID--retired-until-YYYYMMDDTHHMMZ, `until` truncated to the minute.
std::string retired_name(std::string_view base, util::Timestamp until);

// When a generation retired now keeps its key until: now + overlap, rounded up to the whole
// minute its name can say, so that the overlap is never shorter than asked.
util::Timestamp retired_until(util::Timestamp now, std::chrono::seconds overlap);

// The generation an identifier names, or nullopt when it is none: the suffix must be exactly
// one of the forms above (a real date and time) after a non-empty base.
std::optional<Generation> parse_generation(std::string_view identifier);

}  // namespace aktoken::model

// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

#include "json/rapidjson.h"

namespace aktoken::json {

// Parses a JSON text with the depth cap and UTF-8 validation; throws Error(server) otherwise.
rapidjson::Document parse(std::string_view text);

}  // namespace aktoken::json

// SPDX-License-Identifier: MIT
// The seed: users and tokens the sandbox starts with (and returns to on reset).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json.h"
#include "model.h"

namespace sandbox {

// The built-in seed (documented in sandbox/README.md).
Seed default_seed();

// Parses a seed document {"users": [...], "tokens": [...]}; throws std::runtime_error with a
// one-line reason.
Seed parse_seed(std::string_view json);

// Parses one token object in seed format; `users` resolves the owner. Throws std::runtime_error.
Token parse_seed_token(const rapidjson::Value& value, const std::vector<User>& users);

}  // namespace sandbox

// SPDX-License-Identifier: MIT
// authentik's TokenSerializer for create, PUT and PATCH: field validation, validate(), and the
// viewset's perform_create rules.
#pragma once

#include <optional>

#include "json.h"
#include "json_codec.h"
#include "model.h"
#include "store.h"

namespace sandbox {

enum class WriteKind { create, replace, partial };

struct WriteRequest {
    const User& caller;
    const Token* instance;  // the token being updated; null on create
    WriteKind kind;
    Micros now;
    Micros default_duration;
};

struct WriteOutcome {
    std::optional<Token> token;  // the token to store when valid
    FieldErrors errors;          // DRF's 400 body otherwise
};

// Validates `body` as authentik would and returns the resulting token or the field errors.
WriteOutcome validate_token_write(const Store& store, const rapidjson::Value& body, const WriteRequest& request);

}  // namespace sandbox

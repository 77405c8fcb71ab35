// SPDX-License-Identifier: MIT
// authentik's TokenSerializer for create, PUT and PATCH: field validation, validate(), and the
// viewset's perform_create rules.
#pragma once

#include <optional>

#include "json.h"
#include "json_codec.h"
#include "model.h"
#include "store.h"
#include "versions.h"

namespace sandbox {

enum class WriteKind { create, replace, partial };

struct WriteRequest {
    const User& caller;
    const Token* instance;  // the token being updated; null on create
    WriteKind kind;
    Micros now;
    Micros default_duration;
    const VersionRules& rules;
};

struct WriteOutcome {
    std::optional<Token> token;  // the token to store when valid
    FieldErrors errors;          // DRF's 400 body otherwise
    bool server_error = false;   // authentik fails with a 500 on this write
};

// Validates `body` as authentik would and returns the resulting token (pre-save signal applied)
// or the field errors.
WriteOutcome validate_token_write(const Store& store, const rapidjson::Value& body, const WriteRequest& request);

}  // namespace sandbox

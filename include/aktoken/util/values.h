// SPDX-License-Identifier: MIT
// TEMPORARY shim until the value grammar lands: replaced by the real header on merge.
#pragma once
#include "aktoken/commands/token_fields.h"
namespace aktoken::util {
using commands::invalid_value;
using commands::quoted;
}  // namespace aktoken::util

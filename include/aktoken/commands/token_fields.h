// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/api/client.h"
#include "aktoken/model/token.h"
#include "aktoken/util/error.h"
#include "aktoken/util/time.h"

// Checks of user input shared by the commands that write tokens. Each failure throws
// Error(ErrorKind::usage) with one line naming the flag, the value and what is accepted.
namespace aktoken::commands {

// `error` as a bulk command over several tokens reports it: naming the token it failed on,
// unless its message already does.
Error about_token(Error error, const std::string& identifier);

// Checks, before anything is sent, that a file the run will write (`path`, given with `flag`
// as `value`) can be: the path is not empty and does not end in '/', its directory exists and
// takes new files, and what is at path, if anything, is a regular file (not a symbolic link, a
// directory or a device). Throws Error(usage) otherwise.
void check_output_file(std::string_view flag, std::string_view value, const std::string& path);

// Refuses an identifier that authentik would refuse (`^[-a-zA-Z0-9_]+$`, 1 to 255 characters).
void check_identifier(std::string_view flag, std::string_view identifier);

// Refuses the same identifier twice or a bad one, for commands taking several.
void check_identifiers(const std::vector<std::string>& identifiers);

// An intent that authentik accepts in a write: api or app_password.
std::string writable_intent(std::string_view flag, std::string_view value);

// A user pk: a positive integer.
std::int64_t user_pk(std::string_view flag, std::string_view value);

// A --user value: digits are a user pk (a positive integer), anything else a username (not
// empty, no whitespace or '/', not starting with '-').
struct UserRef {
    std::optional<std::int64_t> pk;
    std::string username;  // when not a pk
};
UserRef user_ref(std::string_view flag, std::string_view value);

// The pk of the user of exactly this username (GET /core/users/?username=); Error(not_found)
// when there is none.
std::int64_t user_pk_by_name(api::Client& client, const std::string& username);

// --expires WHEN: RFC 3339, a date, a duration from now, or `never` (null).
model::Nullable<util::Timestamp> expires_value(std::string_view flag, std::string_view value, util::Timestamp now);

// A `managed` value: authentik refuses blank ones.
std::string managed_value(std::string_view flag, std::string_view value);

}  // namespace aktoken::commands

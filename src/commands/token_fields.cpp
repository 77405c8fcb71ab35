// SPDX-License-Identifier: MIT
#include "aktoken/commands/token_fields.h"

#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "aktoken/util/error.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"

namespace aktoken::commands {

void check_identifier(std::string_view flag, std::string_view identifier) {
    if (!util::is_valid_identifier(identifier)) {
        util::invalid_value(flag, identifier,
                            "expected 1 to 255 letters, digits, '-' or '_' (authentik's identifier slug)");
    }
}

void check_identifiers(const std::vector<std::string>& identifiers) {
    std::set<std::string_view> seen;
    for (const std::string& identifier : identifiers) {
        check_identifier("IDENTIFIER", identifier);
        if (!seen.insert(identifier).second) {
            throw Error(ErrorKind::usage, fmt::format("IDENTIFIER: {} is given twice", util::quoted(identifier)));
        }
    }
}

std::string writable_intent(std::string_view flag, std::string_view value) {
    if (value == "api" || value == "app_password") {
        return std::string(value);
    }
    if (value == "verification" || value == "recovery") {
        util::invalid_value(flag, value,
                            "authentik refuses the intents verification and recovery in writes; expected api or "
                            "app_password");
    }
    util::invalid_value(flag, value, "expected api or app_password");
}

std::int64_t user_pk(std::string_view flag, std::string_view value) {
    if (auto pk = util::parse_positive_int(value)) {
        return *pk;
    }
    util::invalid_value(flag, value, "expected a user pk (a positive integer)");
}

model::Nullable<util::Timestamp> expires_value(std::string_view flag, std::string_view value, util::Timestamp now) {
    if (value == "never") {
        return {true, {}};
    }
    std::string problem;
    if (const auto when = util::parse_when(value, now, &problem)) {
        return {false, *when};
    }
    util::invalid_value(flag, value, problem);
}

std::string managed_value(std::string_view flag, std::string_view value) {
    if (value.empty()) {
        util::invalid_value(flag, value, "expected a non-empty string (use --no-managed to clear it)");
    }
    return std::string(value);
}

Error about_token(Error error, const std::string& identifier) {
    // Named as `"ID"`, or in the token's URL.
    const std::string_view message = error.what();
    const bool named = message.find(util::quoted(identifier)) != std::string_view::npos ||
                       message.find("/" + identifier + "/") != std::string_view::npos;
    if (!named) {
        error.set_token(identifier);
    }
    return error;
}

void check_output_file(std::string_view flag, std::string_view value, const std::string& path) {
    const std::filesystem::path file(path);
    const std::filesystem::path directory = file.has_parent_path() ? file.parent_path() : ".";
    std::error_code error;
    if (!std::filesystem::is_directory(directory, error)) {
        util::invalid_value(flag, value, fmt::format("directory {} does not exist", directory.string()));
    }
    if (std::filesystem::is_directory(file, error)) {
        util::invalid_value(flag, value, fmt::format("{} is a directory", path));
    }
}

}  // namespace aktoken::commands

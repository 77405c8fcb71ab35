// SPDX-License-Identifier: MIT
#include "aktoken/commands/token_fields.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <numeric>
#include <optional>

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
    for (const std::string& identifier : identifiers) {
        check_identifier("IDENTIFIER", identifier);
    }
    // Sorted positions rather than a set: a million identifiers cost 4 MB here, not 64.
    std::vector<std::uint32_t> order(identifiers.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return identifiers[a] < identifiers[b]; });
    // The repeat named is the one met first in the input.
    std::optional<std::uint32_t> first_repeat;
    for (std::size_t i = 1; i < order.size(); ++i) {
        if (identifiers[order[i]] == identifiers[order[i - 1]] && (!first_repeat || order[i] < *first_repeat)) {
            first_repeat = order[i];
        }
    }
    if (first_repeat) {
        throw Error(ErrorKind::usage,
                    fmt::format("IDENTIFIER: {} is given twice", util::quoted(identifiers[*first_repeat])));
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

UserRef user_ref(std::string_view flag, std::string_view value) {
    const bool digits = !value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) {
        return {user_pk(flag, value), {}};
    }
    if (value.empty() || value.find_first_of(" \t\r\n\v\f/") != std::string_view::npos || value.front() == '-') {
        util::invalid_value(flag, value, "expected a user pk (a positive integer) or a username");
    }
    return {std::nullopt, std::string(value)};
}

std::int64_t user_pk_by_name(api::Client& client, const std::string& username) {
    model::Page<model::User> page = client.users({{"username", username}});
    for (const model::User& user : page.results) {
        if (user.username == username) {
            return user.pk;
        }
    }
    throw Error(ErrorKind::not_found, fmt::format("user {} not found", util::quoted(username)));
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
    if (path.empty()) {
        util::invalid_value(flag, value, "expected a file path");
    }
    if (path.back() == '/') {
        util::invalid_value(flag, value, fmt::format("{} names a directory; expected a file path", path));
    }
    const std::filesystem::path file(path);
    const std::string directory = file.has_parent_path() ? file.parent_path().string() : ".";
    struct stat info {};
    if (::stat(directory.c_str(), &info) != 0) {
        const int error = errno;
        util::invalid_value(flag, value,
                            error == ENOENT ? fmt::format("directory {} does not exist", directory)
                                            : fmt::format("directory {}: {}", directory, std::strerror(error)));
    }
    if (!S_ISDIR(info.st_mode)) {
        util::invalid_value(flag, value, fmt::format("{} is not a directory", directory));
    }
    if (::lstat(path.c_str(), &info) == 0) {
        if (S_ISLNK(info.st_mode)) {
            util::invalid_value(flag, value,
                                fmt::format("{} is a symbolic link; aktoken replaces the file itself, never the "
                                            "target of a link",
                                            path));
        }
        if (S_ISDIR(info.st_mode)) {
            util::invalid_value(flag, value, fmt::format("{} is a directory", path));
        }
        // A device or FIFO would be replaced by a plain file: /dev/null as root, for one.
        if (!S_ISREG(info.st_mode)) {
            util::invalid_value(flag, value, fmt::format("{} is not a regular file", path));
        }
    }
    // The file is written as a temporary file in the same directory, then renamed over path.
    if (::faccessat(AT_FDCWD, directory.c_str(), W_OK | X_OK, AT_EACCESS) != 0) {
        const int error = errno;
        util::invalid_value(flag, value,
                            fmt::format("cannot create files in directory {} ({})", directory, std::strerror(error)));
    }
}

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#include "config/profile.h"

#include <fmt/format.h>

#include "aktoken/util/error.h"
#include "aktoken/util/files.h"
#include "aktoken/util/secret.h"
#include "aktoken/util/strings.h"
#include "config/ini.h"

namespace aktoken::config {

const ProfileValue* Profile::find(std::string_view key) const {
    for (const auto& value : values) {
        if (value.key == key) {
            return &value;
        }
    }
    return nullptr;
}

Profile::~Profile() {
    for (auto& value : values) {
        util::wipe(value.value);
    }
}

namespace {

std::vector<std::string_view> profile_keys() {
    std::vector<std::string_view> keys;
    for (const SettingSpec& spec : setting_table()) {
        for (const ProfileKey& key : spec.keys) {
            if (!key.name.empty()) {
                keys.push_back(key.name);
            }
        }
    }
    return keys;
}

// Relative paths in the file are meant relative to the file, not to wherever aktoken runs.
std::string profile_path(const std::string& value, const std::string& config_path, const Environment& environment) {
    if (value.rfind("~/", 0) == 0) {
        if (const auto home = lookup(environment, "HOME")) {
            return *home + value.substr(1);
        }
        return value;
    }
    if (value.front() == '/') {
        return value;
    }
    const auto slash = config_path.rfind('/');
    return slash == std::string::npos ? value : config_path.substr(0, slash + 1) + value;
}

// Validates every profile, not only the selected one, so a mistake surfaces when it is made
// rather than the day someone switches profiles.
Profile read_profile(const IniSection& section, const std::string& config_path, const Environment& environment) {
    Profile profile;
    for (const auto& entry : section.entries) {
        const auto fail = [&](const std::string& message) {
            return Error(ErrorKind::config, fmt::format("{}:{}: {}", config_path, entry.line, message));
        };
        for (const SettingSpec& spec : setting_table()) {
            for (const ProfileKey& key : spec.keys) {
                if (key.name.empty() || key.name != entry.key) {
                    continue;
                }
                if (key.path && entry.value.empty()) {
                    throw fail(fmt::format("{} is empty", entry.key));
                }
                ProfileValue value{
                    key.name, key.path ? profile_path(entry.value, config_path, environment) : entry.value, entry.line};
                Settings scratch;
                std::string problem;
                if (!spec.apply(scratch, value.value, key.name, Origin{}, &problem)) {
                    throw fail(refusal(spec, entry.value, key.name, problem));
                }
                profile.values.push_back(std::move(value));
            }
        }
    }
    return profile;
}

bool holds_token(const IniFile& file) {
    for (const auto& section : file.sections) {
        if (section.find("token") != nullptr) {
            return true;
        }
    }
    return false;
}

// Tokens from profiles other than the selected one are not needed; do not leave them in freed memory.
void wipe_tokens(IniFile& file) {
    for (auto& section : file.sections) {
        for (auto& entry : section.entries) {
            if (entry.key == "token") {
                util::wipe(entry.value);
            }
        }
    }
}

std::string list_or_none(const std::vector<std::string>& names) {
    return names.empty() ? std::string("none") : util::join(names, ", ");
}

}  // namespace

// The selected profile, or nothing when the file or the profile is missing and that is fine.
std::optional<Profile> load_profile(const std::optional<std::string>& config_path, const std::string& name,
                                    bool explicit_profile, const Environment& environment) {
    const auto fail_missing = [&](const std::string& detail) {
        return Error(ErrorKind::config, fmt::format("profile \"{}\" not found{}", name, detail));
    };
    if (!config_path) {
        if (explicit_profile) {
            throw fail_missing(": no config file (set AKTOKEN_CONFIG, XDG_CONFIG_HOME or HOME)");
        }
        return std::nullopt;
    }
    auto file = util::read_file_with_mode(*config_path, "config file");
    if (!file) {
        if (explicit_profile) {
            throw fail_missing(fmt::format(": {} does not exist", *config_path));
        }
        return std::nullopt;
    }
    IniFile ini;
    try {
        ini = parse_ini(file->content, *config_path, profile_keys());
    } catch (...) {
        util::wipe(file->content);
        throw;
    }
    util::wipe(file->content);
    // Like ssh with a private key: refuse the whole file, whichever profile holds the token.
    if (holds_token(ini) && util::readable_by_others(*file)) {
        wipe_tokens(ini);
        throw Error(ErrorKind::config, fmt::format("{} holds a token and is {}", *config_path,
                                                   util::readable_by_others_hint(*config_path, file->mode)));
    }
    std::optional<Profile> selected;
    try {
        for (const auto& section : ini.sections) {
            Profile profile = read_profile(section, *config_path, environment);
            if (section.name == name) {
                selected = std::move(profile);
            }
        }
    } catch (...) {
        wipe_tokens(ini);
        throw;
    }
    wipe_tokens(ini);
    if (!selected && explicit_profile) {
        throw fail_missing(fmt::format(" in {} (profiles: {})", *config_path, list_or_none(ini.section_names())));
    }
    return selected;
}

}  // namespace aktoken::config

// SPDX-License-Identifier: MIT
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/config/settings.h"

// The config file's side of the settings: reading and checking its profiles, and the helpers
// that settings.cpp and profile.cpp share.
namespace aktoken::config {

// One value of a profile after validation, with the line it came from.
struct ProfileValue {
    std::string_view key;
    std::string value;  // paths made absolute
    int line = 0;
};

// The values of one profile. It may hold a token, so every value is wiped when it goes; it moves
// but does not copy.
struct Profile {
    std::vector<ProfileValue> values;

    Profile() = default;
    Profile(const Profile&) = delete;
    Profile& operator=(const Profile&) = delete;
    Profile(Profile&&) = default;
    Profile& operator=(Profile&&) = default;
    ~Profile();

    // The value of that key, or nullptr.
    const ProfileValue* find(std::string_view key) const;
};

// The selected profile of the config file, every profile checked against the settings table;
// nothing when the file or the profile is missing and that is fine (not `explicit_profile`).
// Throws aktoken::Error (config) for a broken or unsafe file or a requested profile not there.
std::optional<Profile> load_profile(const std::optional<std::string>& config_path, const std::string& name,
                                    bool explicit_profile, const Environment& environment);

// An environment variable, an empty one counting as unset.
std::optional<std::string> lookup(const Environment& environment, std::string_view name);

// The message for a refused value of `spec`, after "<where>: ".
std::string refusal(const SettingSpec& spec, std::string_view value, std::string_view key, std::string_view problem);

}  // namespace aktoken::config

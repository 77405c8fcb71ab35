// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "aktoken/config/settings.h"
#include "aktoken/output/render.h"

namespace aktoken::commands {

// `aktoken config show`: every resolved setting and where it came from (flag, environment,
// profile, default); the token only as `<set from ...>`, never its value.
// `profile_origin` says where the profile's name came from.
std::string config_show(const config::Settings& settings, const config::Origin& profile_origin, output::Format format);

// `aktoken config path`: the config file in use (whether it exists or not).
std::string config_path(const config::Settings& settings);

}  // namespace aktoken::commands

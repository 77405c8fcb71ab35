// SPDX-License-Identifier: MIT
#pragma once

#include <string>

#include "aktoken/config/settings.h"
#include "aktoken/output/render.h"

namespace aktoken::commands {

// `aktoken config show`: the config file, then every setting of config::setting_table() in its
// order, each with where it came from (flag, environment, profile, default); the token only as
// `<set from ...>`, never its value.
std::string config_show(const config::Settings& settings, output::Format format);

// `aktoken config path`: the config file in use (whether it exists or not).
std::string config_path(const config::Settings& settings);

}  // namespace aktoken::commands

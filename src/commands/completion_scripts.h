// SPDX-License-Identifier: MIT
#pragma once

#include <string_view>

namespace aktoken::commands {

// The completion script for `shell` ("bash", "zsh" or "fish"), as installed from completions/;
// empty for any other shell. Defined in a file that cmake/Completions.cmake generates.
std::string_view completion_script(std::string_view shell);

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#pragma once

namespace aktoken {

// The version of aktoken, as in CMakeLists.txt's project() ("0.1.0").
const char* version();

}  // namespace aktoken

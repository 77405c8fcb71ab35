// SPDX-License-Identifier: MIT
#pragma once

namespace aktoken::cli {

// Runs aktoken with the process's arguments and returns its exit status.
int run(int argc, char** argv);

}  // namespace aktoken::cli

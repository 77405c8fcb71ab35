// SPDX-License-Identifier: MIT
#include "aktoken/cli/run.h"

int main(int argc, char** argv) { return aktoken::cli::run(argc, argv); }

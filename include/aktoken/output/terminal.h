// SPDX-License-Identifier: MIT
#pragma once

namespace aktoken::output {

// Tells whether the file descriptor is a terminal.
bool is_terminal(int fd);

// The width of the terminal on fd in columns: its window size, else the COLUMNS environment
// variable when that is a positive integer, else 0 (unknown: do not fit).
int terminal_width(int fd);

}  // namespace aktoken::output

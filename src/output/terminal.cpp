// SPDX-License-Identifier: MIT
#include "aktoken/output/terminal.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <limits>

#include "aktoken/util/strings.h"

namespace aktoken::output {

bool is_terminal(int fd) { return isatty(fd) == 1; }

int terminal_width(int fd) {
    winsize size{};
    // Some terminals (serial consoles, some CI runners) answer with 0 columns: treat as unknown.
    if (ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
        return size.ws_col;
    }
    const char* columns = std::getenv("COLUMNS");
    if (columns == nullptr) {
        return 0;
    }
    const auto parsed = util::parse_positive_int(columns);
    if (!parsed || *parsed > std::numeric_limits<int>::max()) {
        return 0;
    }
    return static_cast<int>(*parsed);
}

}  // namespace aktoken::output

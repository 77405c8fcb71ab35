// SPDX-License-Identifier: MIT
// libFuzzer target: config::parse_ini with the key list the config file really accepts.
#include <stdexcept>
#include <string_view>
#include <vector>

#include "aktoken/util/error.h"
#include "config/ini.h"
#include "fuzz/targets.h"

namespace aktoken::fuzz {

void ini(std::string_view input) {
    static const std::vector<std::string_view> keys{"url",      "token_file", "token", "ca_file",
                                                    "insecure", "timeout",    "output"};
    config::IniFile file;
    try {
        file = config::parse_ini(input, "fuzz.ini", keys);
    } catch (const Error&) {
        return;
    } catch (const std::invalid_argument&) {
        return;
    }
    // What the parser promises about an accepted file: known keys only, no duplicates, line
    // numbers in file order.
    int last_line = 0;
    for (std::size_t i = 0; i < file.sections.size(); ++i) {
        const auto& section = file.sections[i];
        if (section.name.empty() || section.line <= last_line || file.find(section.name) != &section) {
            throw InvariantViolation("bad or duplicate section [" + section.name + "]");
        }
        last_line = section.line;
        for (const auto& entry : section.entries) {
            bool known = false;
            for (const auto key : keys) {
                known = known || key == entry.key;
            }
            if (!known || entry.line <= last_line || section.find(entry.key) != &entry) {
                throw InvariantViolation("bad, unknown or duplicate key \"" + entry.key + "\"");
            }
            last_line = entry.line;
        }
    }
}

}  // namespace aktoken::fuzz

AKTOKEN_FUZZ_TARGET(aktoken::fuzz::ini)

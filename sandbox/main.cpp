// SPDX-License-Identifier: MIT
// aktoken-sandbox: an in-memory authentik tokens API for tests, demos and benchmarks.
#include <iostream>

#include "options.h"

int main(int argc, char** argv) {
    auto parsed = sandbox::parse_options(argc, argv);
    if (std::holds_alternative<sandbox::HelpRequested>(parsed)) {
        std::cout << sandbox::usage_text();
        return 0;
    }
    if (const auto* error = std::get_if<sandbox::UsageError>(&parsed)) {
        std::cerr << "aktoken-sandbox: " << error->message << '\n';
        return 2;
    }
    return sandbox::run_server(std::move(std::get<sandbox::ServerOptions>(parsed)));
}

// SPDX-License-Identifier: MIT
#include "aktoken/cli/report.h"

#include <fmt/format.h>

#include <algorithm>

#include "aktoken/commands/token_fields.h"
#include "aktoken/json/codec.h"
#include "aktoken/output/render.h"

namespace aktoken::cli {

int exit_code(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::internal: return 1;
        case ErrorKind::usage: return 2;
        case ErrorKind::config: return 3;
        case ErrorKind::auth: return 4;
        case ErrorKind::permission: return 5;
        case ErrorKind::not_found: return 6;
        case ErrorKind::rejected: return 7;
        case ErrorKind::server: return 8;
        case ErrorKind::network: return 9;
        case ErrorKind::busy: return 10;
        case ErrorKind::interrupted: return 130;
    }
    return 1;
}

const char* kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::internal: return "internal";
        case ErrorKind::usage: return "usage";
        case ErrorKind::config: return "config";
        case ErrorKind::auth: return "auth";
        case ErrorKind::permission: return "permission";
        case ErrorKind::not_found: return "not_found";
        case ErrorKind::rejected: return "rejected";
        case ErrorKind::server: return "server";
        case ErrorKind::network: return "network";
        case ErrorKind::busy: return "busy";
        case ErrorKind::interrupted: return "interrupted";
    }
    return "internal";
}

int worst_exit_code(const std::vector<Error>& errors) {
    int worst = 0;
    for (const Error& error : errors) {
        worst = std::max(worst, exit_code(error.kind()));
    }
    return worst;
}

void report(std::ostream& err, const Error& error, bool json, bool color) {
    report(err, error, json, color, exit_code(error.kind()));
}

void report(std::ostream& err, const Error& error, bool json, bool color, int shown_exit_code) {
    if (json) {
        std::string fields;
        for (const auto& [name, messages] : error.fields()) {
            std::string list;
            for (const std::string& message : messages) {
                list += (list.empty() ? "" : ",") + json::quote(message);
            }
            fields += fmt::format("{}{}:[{}]", fields.empty() ? "" : ",", json::quote(name), list);
        }
        const std::string token = error.token().empty() ? "" : fmt::format(R"(,"token":{})", json::quote(error.token()));
        err << fmt::format(R"({{"error":{{"exit_code":{},"kind":"{}","status":{},"message":{},"fields":{{{}}}{}}}}})",
                           shown_exit_code, kind_name(error.kind()),
                           error.status() ? std::to_string(*error.status()) : "null", json::quote(error.what()),
                           fields, token)
            << '\n';
        return;
    }
    std::string prefix = "aktoken: " + output::paint("error:", 31, color) + " ";
    if (!error.token().empty()) {
        prefix += fmt::format("token {}: ", commands::quoted(error.token()));
    }
    if (error.fields().empty()) {
        err << prefix << error.what() << '\n';
        return;
    }
    for (const auto& [name, messages] : error.fields()) {
        for (const std::string& message : messages) {
            if (name == "non_field_errors") {
                err << prefix << message << '\n';
            } else {
                err << prefix << name << ": " << message << '\n';
            }
        }
    }
}

}  // namespace aktoken::cli

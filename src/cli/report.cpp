// SPDX-License-Identifier: MIT
#include "cli/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <csignal>

#include "aktoken/json/builder.h"
#include "aktoken/output/list.h"
#include "aktoken/output/render.h"
#include "aktoken/util/values.h"

namespace aktoken::cli {
namespace {

struct ExitStatus {
    ErrorKind kind;
    int code;
    const char* name;     // in JSON error objects
    const char* meaning;  // in --help
};

constexpr ExitStatus kExitStatuses[] = {
    {ErrorKind::internal, 1, "internal", "internal error"},
    {ErrorKind::usage, 2, "usage", "usage"},
    {ErrorKind::config, 3, "config", "configuration"},
    {ErrorKind::auth, 4, "auth", "authentication failed"},
    {ErrorKind::permission, 5, "permission", "permission denied"},
    {ErrorKind::not_found, 6, "not_found", "not found"},
    {ErrorKind::rejected, 7, "rejected", "rejected by the server"},
    {ErrorKind::server, 8, "server", "server error or malformed answer"},
    {ErrorKind::network, 9, "network", "network"},
    {ErrorKind::busy, 10, "busy", "lock held by another run"},
    {ErrorKind::output, 11, "output", "cannot write to standard output"},
    {ErrorKind::delivery, 12, "delivery", "rotate --exec failed"},
    {ErrorKind::interrupted, 130, "interrupted", "interrupted (SIGINT)"},
    {ErrorKind::terminated, 143, "terminated", "terminated (SIGTERM)"},
};

const ExitStatus& status_of(ErrorKind kind) {
    for (const ExitStatus& status : kExitStatuses) {
        if (status.kind == kind) {
            return status;
        }
    }
    return kExitStatuses[0];
}

}  // namespace

int exit_code(ErrorKind kind) { return status_of(kind).code; }

const char* kind_name(ErrorKind kind) { return status_of(kind).name; }

int signal_exit_code(int signal_number) {
    if (signal_number == SIGINT) {
        return exit_code(ErrorKind::interrupted);
    }
    if (signal_number == SIGTERM) {
        return exit_code(ErrorKind::terminated);
    }
    return 128 + signal_number;
}

std::string exit_status_help() {
    std::vector<std::string> items = {"Exit status: 0 success"};
    for (const ExitStatus& status : kExitStatuses) {
        items.push_back(fmt::format("{} {}", status.code, status.meaning));
    }
    std::string text = "\n";
    std::size_t line = 0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string item = items[i] + (i + 1 < items.size() ? "," : ".");
        if (line > 0 && line + 1 + item.size() > 90) {
            text += '\n';
            line = 0;
        } else if (line > 0) {
            text += ' ';
            ++line;
        }
        text += item;
        line += item.size();
    }
    text += "\ncheck exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (any error). See README \"Exit status\".";
    return text;
}

void report(std::ostream& err, const Error& error, bool json, bool color) {
    report(err, error, json, color, exit_code(error.kind()));
}

void report(std::ostream& err, const Error& error, bool json, bool color, int shown_exit_code) {
    if (json) {
        json::Builder builder;
        builder.begin_object().key("error").begin_object();
        builder.key("exit_code").number(shown_exit_code);
        builder.key("kind").string(kind_name(error.kind()));
        builder.key("status");
        if (error.status()) {
            builder.number(*error.status());
        } else {
            builder.null();
        }
        builder.key("message").string(error.what());
        builder.key("fields").begin_object();
        for (const auto& [name, messages] : error.fields()) {
            builder.key(name).begin_array();
            for (const std::string& message : messages) {
                builder.string(message);
            }
            builder.end_array();
        }
        builder.end_object();
        if (!error.token().empty()) {
            builder.key("token").string(error.token());
        }
        builder.end_object().end_object();
        err << builder.text() << '\n';
        return;
    }
    // Messages carry the server's words (a detail, field names and messages, a Location): each
    // line is escaped, so that none of them can move the cursor, retitle the terminal or fill
    // the clipboard. Values already quoted() come through unchanged.
    std::string prefix = "aktoken: " + output::paint("error:", 31, color) + " ";
    if (!error.token().empty()) {
        prefix += fmt::format("token {}: ", util::quoted(error.token()));
    }
    if (error.fields().empty()) {
        err << prefix << output::escape_cell(error.what()) << '\n';
        return;
    }
    for (const auto& [name, messages] : error.fields()) {
        for (const std::string& message : messages) {
            if (name == "non_field_errors") {
                err << prefix << output::escape_cell(message) << '\n';
            } else {
                err << prefix << output::escape_cell(name) << ": " << output::escape_cell(message) << '\n';
            }
        }
    }
}

}  // namespace aktoken::cli

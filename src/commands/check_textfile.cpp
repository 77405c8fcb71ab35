// SPDX-License-Identifier: MIT
// check --prometheus: the node_exporter textfile of the tokens checked.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "aktoken/commands/check.h"
#include "commands/check_rows.h"

namespace aktoken::commands {
namespace checking {
namespace {

// A Prometheus label value: backslash, double quote and line feed escaped.
std::string label_value(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '"':
                out += "\\\"";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string labels(const Checked& token) {
    return fmt::format("{{identifier=\"{}\",intent=\"{}\",username=\"{}\"}}", label_value(token.identifier),
                       label_value(token.intent), label_value(token.username.value_or("")));
}

// Unix seconds with the fraction only when there is one ("1780272000", "1780272000.25").
std::string unix_seconds(util::Timestamp t) {
    const std::int64_t micros = t.time_since_epoch().count();
    const std::uint64_t magnitude =
        micros < 0 ? static_cast<std::uint64_t>(-(micros + 1)) + 1 : static_cast<std::uint64_t>(micros);
    std::string text = fmt::format("{}{}", micros < 0 ? "-" : "", magnitude / 1'000'000);
    if (const std::uint64_t fraction = magnitude % 1'000'000; fraction != 0) {
        std::string digits = fmt::format("{:06}", fraction);
        digits.erase(digits.find_last_not_of('0') + 1);
        text += '.';
        text += digits;
    }
    return text;
}

}  // namespace

std::string prometheus_samples(const std::vector<Checked>& tokens) {
    std::string out =
        "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds "
        "(only tokens that expire).\n"
        "# TYPE authentik_token_expires_timestamp_seconds gauge\n";
    for (const Checked& token : tokens) {
        if (const auto at = expiry(token); at && token.state != TokenState::not_found) {
            out += fmt::format("authentik_token_expires_timestamp_seconds{} {}\n", labels(token), unix_seconds(*at));
        }
    }
    out +=
        "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
        "# TYPE authentik_token_expiring gauge\n";
    for (const Checked& token : tokens) {
        if (token.state != TokenState::not_found) {
            out += fmt::format("authentik_token_expiring{} {}\n", labels(token), token.expiring ? 1 : 0);
        }
    }
    // Only where there are retired generations: a site that never overlaps a rotation keeps its file.
    const bool any_retired =
        std::any_of(tokens.begin(), tokens.end(), [](const Checked& token) { return token.retired_until.has_value(); });
    if (any_retired) {
        out +=
            "# HELP authentik_token_retired_until_timestamp_seconds Until when a retired generation's key works "
            "(rotate --overlap), in Unix seconds; aktoken prune deletes it after that.\n"
            "# TYPE authentik_token_retired_until_timestamp_seconds gauge\n";
        for (const Checked& token : tokens) {
            if (token.retired_until) {
                out += fmt::format("authentik_token_retired_until_timestamp_seconds{} {}\n", labels(token),
                                   unix_seconds(*token.retired_until));
            }
        }
    }
    return out;
}

}  // namespace checking

std::string prometheus_text(const std::vector<model::Token>& tokens) {
    std::vector<checking::Checked> kept;
    kept.reserve(tokens.size());
    for (const model::Token& token : tokens) {
        kept.push_back(checking::checked(token, TokenState::ok));
    }
    return checking::prometheus_samples(kept);
}

}  // namespace aktoken::commands

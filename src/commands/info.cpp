// SPDX-License-Identifier: MIT
#include "aktoken/commands/info.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "aktoken/json/codec.h"
#include "aktoken/output/list.h"

namespace aktoken::commands {

Result run_used_by(Context& context, const std::string& identifier) {
    std::vector<model::UsedBy> used_by = context.client.used_by(identifier);
    if (context.format == output::Format::json || context.format == output::Format::jsonl) {
        std::vector<std::string> items;
        for (const model::UsedBy& use : used_by) {
            items.push_back(fmt::format(R"({{"app":{},"model_name":{},"pk":{},"name":{},"action":{}}})",
                                        json::quote(use.app), json::quote(use.model_name), json::quote(use.pk),
                                        json::quote(use.name), json::quote(use.action)));
        }
        if (context.format == output::Format::json) {
            context.out << json::pretty_array(items) << '\n';
        } else {
            for (const std::string& item : items) {
                context.out << item << '\n';
            }
        }
        return {};
    }
    if (used_by.empty()) {
        if (context.style.terminal) {
            note(context, fmt::format("nothing uses token \"{}\"", identifier));
        }
        return {};
    }
    const bool tsv = context.format == output::Format::tsv;
    std::vector<std::array<std::string, 4>> rows{{"APP", "MODEL", "NAME", "ACTION"}};
    if (tsv) {
        rows.front() = {"app", "model", "name", "action"};
    }
    for (const model::UsedBy& use : used_by) {
        auto escape = tsv ? output::escape_tsv : output::escape_cell;
        rows.push_back({escape(use.app), escape(use.model_name), escape(use.name), escape(use.action)});
    }
    std::array<std::size_t, 4> widths{};
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], output::display_width(row[i]));
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (tsv) {
                line += (i == 0 ? "" : "\t") + row[i];
            } else if (i + 1 < row.size()) {
                line += row[i] + std::string(widths[i] - output::display_width(row[i]) + 2, ' ');
            } else {
                line += row[i];
            }
        }
        context.out << line << '\n';
    }
    return {};
}

Result run_whoami(Context& context) {
    model::User user = context.client.me();
    const std::string& url = context.client.base_url();
    if (context.format == output::Format::json || context.format == output::Format::jsonl) {
        std::string text = fmt::format(R"({{"url":{},"pk":{},"username":{},"name":{},"is_superuser":{}}})",
                                       json::quote(url), user.pk, json::quote(user.username), json::quote(user.name),
                                       user.is_superuser ? "true" : "false");
        context.out << (context.format == output::Format::json ? json::pretty(text) : text) << '\n';
        return {};
    }
    context.out << fmt::format("{:<11}{}\n{:<11}{}\n{:<11}{}\n{:<11}{}\n{:<11}{}\n", "username:", user.username,
                               "pk:", user.pk, "name:", output::escape_cell(user.name),
                               "superuser:", user.is_superuser ? "yes" : "no", "url:", url);
    return {};
}

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#include "aktoken/commands/info.h"

#include <fmt/format.h>


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
    std::vector<std::vector<std::string>> rows;
    rows.push_back(tsv ? std::vector<std::string>{"app", "model", "name", "action"}
                       : std::vector<std::string>{"APP", "MODEL", "NAME", "ACTION"});
    for (const model::UsedBy& use : used_by) {
        rows.push_back({use.app, use.model_name, use.name, use.action});
    }
    context.out << output::simple_table(rows, tsv);
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

// SPDX-License-Identifier: MIT
#include "aktoken/commands/config_info.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <vector>

#include "aktoken/json/codec.h"
#include "aktoken/util/error.h"

namespace aktoken::commands {
namespace {

struct Row {
    std::string name;
    std::string value;
    std::string source;  // flag, environment, profile, default
    std::string where;
};

std::string source_name(config::Source source) {
    switch (source) {
        case config::Source::flag: return "flag";
        case config::Source::environment: return "environment";
        case config::Source::profile: return "profile";
        case config::Source::default_value: return "default";
    }
    return "default";
}

}  // namespace

std::string config_path(const config::Settings& settings) {
    if (!settings.config_path) {
        throw Error(ErrorKind::config, "no config file: set AKTOKEN_CONFIG, XDG_CONFIG_HOME or HOME");
    }
    return *settings.config_path + "\n";
}

namespace {

// `profile_origin`, when given, replaces the one in settings.
std::string show(const config::Settings& settings, const config::Origin* profile_origin, output::Format format) {
    std::vector<Row> rows;
    struct stat info {};
    const bool config_exists = settings.config_path && ::stat(settings.config_path->c_str(), &info) == 0;
    rows.push_back({"config", settings.config_path.value_or("-"), config_exists ? "file" : "missing",
                    config_exists ? "" : "no such file (fine: defaults apply)"});
    for (const config::SettingSpec& spec : config::setting_table()) {
        const std::string name(spec.name);
        if (profile_origin != nullptr && name == "profile") {
            rows.push_back({name, settings.profile, source_name(profile_origin->source), profile_origin->where});
        } else if (const auto shown = spec.show(settings)) {
            rows.push_back({name, shown->value, source_name(shown->origin.source), shown->origin.where});
        } else {
            rows.push_back({name, "-", std::string(spec.unset_source), std::string(spec.unset_hint)});
        }
    }

    if (format == output::Format::json || format == output::Format::jsonl) {
        std::string members;
        for (const Row& r : rows) {
            members += fmt::format(R"({}{}:{{"value":{},"source":{},"where":{}}})", members.empty() ? "" : ",",
                                   json::quote(r.name), json::quote(r.value), json::quote(r.source),
                                   json::quote(r.where));
        }
        const std::string text = "{" + members + "}";
        return (format == output::Format::json ? json::pretty(text) : text) + "\n";
    }
    std::string out;
    for (const Row& r : rows) {
        std::string origin = r.source;
        if (!r.where.empty() && r.where != r.source) {
            origin += origin.empty() ? r.where : ": " + r.where;
        }
        // The column fits the names of old; a longer name (retry_max_time) keeps one space instead.
        const std::string label = r.name.size() < 9 ? r.name + ":" : r.name + ": ";
        out += fmt::format("{:<10}{}{}\n", label, r.value, origin.empty() ? "" : "  (" + origin + ")");
    }
    return out;
}

}  // namespace

std::string config_show(const config::Settings& settings, output::Format format) {
    return show(settings, nullptr, format);
}

std::string config_show(const config::Settings& settings, const config::Origin& profile_origin, output::Format format) {
    return show(settings, &profile_origin, format);
}

}  // namespace aktoken::commands

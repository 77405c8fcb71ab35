// SPDX-License-Identifier: MIT
#include "aktoken/commands/config_info.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <vector>

#include "aktoken/json/builder.h"
#include "aktoken/output/records.h"
#include "aktoken/util/error.h"
#include "commands/specs.h"

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
        case config::Source::flag:
            return "flag";
        case config::Source::environment:
            return "environment";
        case config::Source::profile:
            return "profile";
        case config::Source::default_value:
            return "default";
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

std::string config_show(const config::Settings& settings, output::Format format) {
    std::vector<Row> rows;
    struct stat info {};
    const bool config_exists = settings.config_path && ::stat(settings.config_path->c_str(), &info) == 0;
    rows.push_back({"config", settings.config_path.value_or("-"), config_exists ? "file" : "missing",
                    config_exists ? "" : "no such file (fine: defaults apply)"});
    for (const config::SettingSpec& spec : config::setting_table()) {
        const std::string name(spec.name);
        if (const auto shown = spec.show(settings)) {
            rows.push_back({name, shown->value, source_name(shown->origin.source), shown->origin.where});
        } else {
            rows.push_back({name, "-", std::string(spec.unset_source), std::string(spec.unset_hint)});
        }
    }

    output::Record record;
    output::View view;
    view.text = output::View::Text::blocks;
    view.single = true;
    for (const Row& r : rows) {
        json::Builder setting;
        setting.begin_object();
        setting.key("value").string(r.value);
        setting.key("source").string(r.source);
        setting.key("where").string(r.where);
        setting.end_object();
        std::string origin = r.source;
        if (!r.where.empty() && r.where != r.source) {
            origin += origin.empty() ? r.where : ": " + r.where;
        }
        record.add(r.name, output::Value::json(setting.text(), r.value + (origin.empty() ? "" : "  (" + origin + ")")));
        view.columns.push_back({r.name, r.name});
    }
    return output::render({record}, format, {}, view);
}

}  // namespace aktoken::commands

namespace aktoken::commands {
namespace {

class ConfigShowCommand final : public Command {
public:
    void define(Arguments&) override {}
    void prepare(const Preparation&) override {}
    Result run_local(LocalContext& context) override {
        context.out << config_show(*context.settings, context.format);
        return {};
    }
};

class ConfigPathCommand final : public Command {
public:
    void define(Arguments&) override {}
    void prepare(const Preparation&) override {}
    Result run_local(LocalContext& context) override {
        context.out << config_path(*context.settings);
        return {};
    }
};

}  // namespace

const CommandSpec config_group{"config", "Show the configuration in use",
                               R"TXT(`config show` prints every resolved setting and where it came from (flag,
environment, profile, default); the token only as <set from ...>.
`config path` prints the config file in use.

Examples:
  aktoken config show
  aktoken --profile staging config show -o json
  $EDITOR "$(aktoken config path)")TXT",
                               Phase::config};
const CommandSpec config_show_command{
    "config show", "Every setting and where it came from", {}, Phase::config, make_command<ConfigShowCommand>};
const CommandSpec config_path_command{
    "config path", "The config file in use", {}, Phase::config, make_command<ConfigPathCommand>};

}  // namespace aktoken::commands

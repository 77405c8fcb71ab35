// SPDX-License-Identifier: MIT
#include "aktoken/config/settings.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <vector>

#include "aktoken/util/error.h"
#include "aktoken/util/files.h"
#include "aktoken/util/strings.h"
#include "aktoken/util/values.h"
#include "config/profile.h"

namespace aktoken::config {

namespace {

// With the default delays ten retries take about three minutes.
constexpr std::int64_t max_retries = 10;
constexpr double max_seconds = 86400;

}  // namespace

// Treats an empty variable as unset even for an injected environment, as process_environment does.
std::optional<std::string> lookup(const Environment& environment, std::string_view name) {
    auto value = environment(std::string(name));
    if (value && value->empty()) {
        return std::nullopt;
    }
    return value;
}

namespace {

// Parsers of each setting's grammar and bounds, all of the shape SettingSpec::apply stores from.

std::optional<std::string> any_text(std::string_view text, std::string*) { return std::string(text); }

std::optional<std::string> base_url(std::string_view text, std::string* problem) {
    auto url = parse_base_url(text);
    if (!url) {
        *problem = "expected http(s)://HOST[:PORT][/PATH]";
    }
    return url;
}

std::optional<bool> boolean(std::string_view text, std::string* problem) { return util::parse_bool(text, problem); }

// A timeout of 0 would never let a request finish.
std::optional<double> timeout_seconds(std::string_view text, std::string* problem) {
    return util::parse_seconds(text, {false, max_seconds}, problem);
}

std::optional<int> retry_count(std::string_view text, std::string* problem) {
    const auto count = util::parse_count(text, {0, max_retries}, problem);
    return count ? std::optional<int>(static_cast<int>(*count)) : std::nullopt;
}

// 0 is no limit, as with curl's --retry-max-time.
std::optional<double> retry_seconds(std::string_view text, std::string* problem) {
    return util::parse_seconds(text, {true, max_seconds}, problem);
}

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

// SettingSpec::apply for a setting stored as Setting<T> or std::optional<Setting<T>> in `Field`.
template <auto Field, auto Parse>
bool store(Settings& settings, std::string_view text, std::string_view, const Origin& origin, std::string* problem) {
    auto value = Parse(text, problem);
    if (!value) {
        return false;
    }
    auto& field = settings.*Field;
    using Stored = std::remove_cvref_t<decltype(field)>;
    if constexpr (IsOptional<Stored>::value) {
        field = typename Stored::value_type{std::move(*value), origin};
    } else {
        field = Stored{std::move(*value), origin};
    }
    return true;
}

bool store_profile(Settings& settings, std::string_view text, std::string_view, const Origin& origin, std::string*) {
    settings.profile = std::string(text);
    settings.profile_origin = origin;
    return true;
}

// The token row's sources differ in kind, not only in precedence: a path, standard input, the
// variable's value (read later, so it is not held longer than needed) or the profile's value.
bool store_token(Settings& settings, std::string_view text, std::string_view from, const Origin& origin, std::string*) {
    TokenSource& token = settings.token;
    token = TokenSource{};
    if (from == "AUTHENTIK_TOKEN") {
        token.kind = TokenSource::Kind::env_value;
    } else if (from == "token") {
        token.kind = TokenSource::Kind::profile_value;
        token.value = util::Secret(std::string(text));
    } else if (from == "--token-file" && text == "-") {
        token.kind = TokenSource::Kind::stdin_file;
        token.path = "-";
    } else {
        token.kind = TokenSource::Kind::file;
        token.path = std::string(text);
    }
    token.origin = origin;
    return true;
}

std::string number_text(double value) { return fmt::format("{}", value); }

template <auto Field, auto Text>
std::optional<ShownSetting> show(const Settings& settings) {
    const auto& field = settings.*Field;
    if constexpr (IsOptional<std::remove_cvref_t<decltype(field)>>::value) {
        if (!field) {
            return std::nullopt;
        }
        return ShownSetting{Text(field->value), field->origin};
    } else {
        return ShownSetting{Text(field.value), field.origin};
    }
}

std::string same(const std::string& value) { return value; }
std::string bool_text(bool value) { return value ? "true" : "false"; }
std::string int_text(int value) { return fmt::format("{}", value); }

std::optional<ShownSetting> show_profile(const Settings& settings) {
    return ShownSetting{settings.profile, settings.profile_origin};
}

std::optional<ShownSetting> show_token(const Settings& settings) {
    const TokenSource& token = settings.token;
    if (token.kind == TokenSource::Kind::none) {
        return std::nullopt;
    }
    const std::string where =
        token.path.empty() ? token.origin.where : fmt::format("{} ({})", token.origin.where, token.path);
    return ShownSetting{fmt::format("<set from {}>", where), token.origin};
}

template <auto Field>
std::optional<std::string> flag_text(const CommandLine& command_line) {
    return command_line.*Field;
}

template <std::optional<std::string> CommandLine::*Field>
void set_flag_text(CommandLine& command_line, const std::string& text) {
    command_line.*Field = text;
}

// A flag without a value, held as std::optional<bool> in the command line.
template <std::optional<bool> CommandLine::*Field>
void set_bool_flag(CommandLine& command_line, const std::string&) {
    command_line.*Field = true;
}

template <std::optional<bool> CommandLine::*Field>
std::optional<std::string> bool_flag(const CommandLine& command_line) {
    if (!(command_line.*Field)) {
        return std::nullopt;
    }
    return bool_text(*(command_line.*Field));
}

// The one list of settings. Settings' member initialisers hold the defaults that default_text names.
const std::array<SettingSpec, 10> setting_specs{{
    {.name = "profile",
     .flag = "--profile",
     .value_name = "NAME",
     .variables = {"AKTOKEN_PROFILE"},
     .default_text = "'default'",
     .help = "Config file profile",
     .given = flag_text<&CommandLine::profile>,
     .set = set_flag_text<&CommandLine::profile>,
     .apply = store_profile,
     .show = show_profile},
    {.name = "url",
     .flag = "--url",
     .value_name = "URL",
     .variables = {"AUTHENTIK_URL"},
     .keys = {{{"url"}}},
     .help = "authentik base URL, e.g. https://auth.example.com",
     .unset_source = "unset",
     .unset_hint = "use --url, AUTHENTIK_URL or url in the profile",
     .noun = "URL",
     .given = flag_text<&CommandLine::url>,
     .set = set_flag_text<&CommandLine::url>,
     .apply = store<&Settings::url, base_url>,
     .show = show<&Settings::url, same>},
    {.name = "token",
     .flag = "--token-file",
     .value_name = "PATH",
     .variables = {"AUTHENTIK_TOKEN", "AUTHENTIK_TOKEN_FILE"},
     .keys = {{{"token_file", true}, {"token"}}},
     .help = "Read the API token from PATH ('-' for stdin)",
     .unset_source = "unset",
     .unset_hint = "use --token-file, AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE or the profile",
     .given = flag_text<&CommandLine::token_file>,
     .set = set_flag_text<&CommandLine::token_file>,
     .apply = store_token,
     .show = show_token},
    {.name = "ca_file",
     .flag = "--ca-file",
     .value_name = "PATH",
     .variables = {"AUTHENTIK_CA_FILE"},
     .keys = {{{"ca_file", true}}},
     .help = "Trust the CA certificates in PATH",
     .unset_source = "default",
     .unset_hint = "the system's CA certificates",
     .given = flag_text<&CommandLine::ca_file>,
     .set = set_flag_text<&CommandLine::ca_file>,
     .apply = store<&Settings::ca_file, any_text>,
     .show = show<&Settings::ca_file, same>},
    {.name = "insecure",
     .flag = "--insecure",
     .variables = {"AUTHENTIK_INSECURE"},
     .keys = {{{"insecure"}}},
     .help = "Do not verify the server's TLS certificate",
     .given = bool_flag<&CommandLine::insecure>,
     .set = set_bool_flag<&CommandLine::insecure>,
     .apply = store<&Settings::insecure, boolean>,
     .show = show<&Settings::insecure, bool_text>},
    {.name = "timeout",
     .flag = "--timeout",
     .value_name = "SECONDS",
     .keys = {{{"timeout"}}},
     .default_text = "30",
     .help = "Whole-request timeout",
     .given = flag_text<&CommandLine::timeout>,
     .set = set_flag_text<&CommandLine::timeout>,
     .apply = store<&Settings::timeout, timeout_seconds>,
     .show = show<&Settings::timeout, number_text>},
    {.name = "output",
     .flag = "--output",
     .short_flag = "-o",
     .value_name = "FORMAT",
     .keys = {{{"output"}}},
     .default_text = "table",
     .help = "Output format: table, wide, json, jsonl, tsv or id",
     .given = flag_text<&CommandLine::output>,
     .set = set_flag_text<&CommandLine::output>,
     .apply = store<&Settings::output, any_text>,
     .show = show<&Settings::output, same>},
    {.name = "retries",
     .flag = "--retries",
     .value_name = "N",
     .variables = {"AKTOKEN_RETRIES"},
     .keys = {{{"retries"}}},
     .default_text = "3",
     .help = "Retries of failed requests, 0 to 10",
     .given = flag_text<&CommandLine::retries>,
     .set = set_flag_text<&CommandLine::retries>,
     .apply = store<&Settings::retries, retry_count>,
     .show = show<&Settings::retries, int_text>},
    {.name = "retry_max_time",
     .flag = "--retry-max-time",
     .value_name = "SECONDS",
     .variables = {"AKTOKEN_RETRY_MAX_TIME"},
     .keys = {{{"retry_max_time"}}},
     .default_text = "no limit",
     .help = "Give up retrying after this long, 0 to 86400",
     .unset_source = "default",
     .unset_hint = "no limit",
     .given = flag_text<&CommandLine::retry_max_time>,
     .set = set_flag_text<&CommandLine::retry_max_time>,
     .apply = store<&Settings::retry_max_time, retry_seconds>,
     .show = show<&Settings::retry_max_time, number_text>},
    {.name = "quiet",
     .flag = "--quiet",
     .short_flag = "-q",
     .variables = {"AKTOKEN_QUIET"},
     .keys = {{{"quiet"}}},
     .help = "Only results, warnings and errors: no notes, no skipped tokens",
     .given = bool_flag<&CommandLine::quiet>,
     .set = set_bool_flag<&CommandLine::quiet>,
     .apply = store<&Settings::quiet, boolean>,
     .show = show<&Settings::quiet, bool_text>},
}};

// Where a setting's value was found, and its text.
struct Given {
    std::string text;
    std::string_view from;  // the flag, variable or key
    Origin origin;
    int line = 0;  // profile values only
};

}  // namespace

// The message for a refused value of `spec`, after "<where>: ".
std::string refusal(const SettingSpec& spec, std::string_view value, std::string_view key, std::string_view problem) {
    // A noun other than "value" names the key already.
    const std::string for_key = key.empty() || spec.noun != "value" ? std::string() : fmt::format(" for {}", key);
    return fmt::format("invalid {} {}{}: {}", spec.noun, util::quoted(value), for_key, problem);
}

namespace {

// Finds the first source of `spec` in precedence order: flag, variables, profile keys.
std::optional<Given> find_given(const SettingSpec& spec, const CommandLine& command_line,
                                const Environment& environment, const Profile* profile, const Origin& from_profile) {
    if (auto text = spec.given(command_line)) {
        return Given{std::move(*text), spec.flag, Origin{Source::flag, std::string(spec.flag)}};
    }
    for (const std::string_view variable : spec.variables) {
        if (variable.empty()) {
            continue;
        }
        if (auto text = lookup(environment, variable)) {
            return Given{std::move(*text), variable, Origin{Source::environment, std::string(variable)}};
        }
    }
    if (profile != nullptr) {
        for (const ProfileKey& key : spec.keys) {
            if (const ProfileValue* value = key.name.empty() ? nullptr : profile->find(key.name)) {
                return Given{value->value, key.name, from_profile, value->line};
            }
        }
    }
    return std::nullopt;
}

// Stores the first given value of `spec`; false when it was given nowhere.
bool resolve_one(Settings& settings, const SettingSpec& spec, const CommandLine& command_line,
                 const Environment& environment, const Profile* profile, const Origin& from_profile) {
    std::optional<Given> given = find_given(spec, command_line, environment, profile, from_profile);
    if (!given) {
        return false;
    }
    std::string problem;
    const bool ok = spec.apply(settings, given->text, given->from, given->origin, &problem);
    if (!ok) {
        switch (given->origin.source) {
            case Source::flag:
                throw Error(ErrorKind::usage,
                            fmt::format("{}: {}", given->from, refusal(spec, given->text, {}, problem)));
            case Source::environment:
                throw Error(ErrorKind::config,
                            fmt::format("{}: {}", given->from, refusal(spec, given->text, {}, problem)));
            case Source::profile:
            case Source::default_value:
                // Checked when the file was read; kept for a row whose check depends on more.
                throw Error(ErrorKind::config, fmt::format("{}:{}: {}", settings.config_path.value_or(""), given->line,
                                                           refusal(spec, given->text, given->from, problem)));
        }
    }
    // The text may be a token (AUTHENTIK_TOKEN, the profile's token).
    util::wipe(given->text);
    return true;
}

void check_token(std::string_view token, const std::string& where) {
    if (token.empty()) {
        throw Error(ErrorKind::config, fmt::format("the token in {} is empty", where));
    }
    // The whole header value pasted from a curl command line is the common mistake.
    if (util::iequals(token.substr(0, 7), "Bearer ")) {
        throw Error(ErrorKind::config, fmt::format("the token in {} starts with \"Bearer \": give only the key; "
                                                   "aktoken adds the Authorization scheme itself",
                                                   where));
    }
    for (const char c : token) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) {
            throw Error(ErrorKind::config,
                        fmt::format("the token in {} contains whitespace or control characters", where));
        }
    }
}

}  // namespace

std::span<const SettingSpec> setting_table() { return setting_specs; }

std::string flag_help(const SettingSpec& spec) {
    std::vector<std::string> parts;
    if (!spec.default_text.empty()) {
        parts.push_back(fmt::format("default {}", spec.default_text));
    }
    std::vector<std::string> variables;
    for (const std::string_view variable : spec.variables) {
        if (!variable.empty()) {
            variables.emplace_back(variable);
        }
    }
    if (!variables.empty()) {
        parts.push_back("env " + util::join(variables, ", "));
    }
    if (parts.empty()) {
        return std::string(spec.help);
    }
    return fmt::format("{} ({})", spec.help, util::join(parts, "; "));
}

Environment process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr || *value == '\0') {
            return std::nullopt;
        }
        return std::string(value);
    };
}

std::optional<std::string> config_file_path(const Environment& environment) {
    if (auto path = lookup(environment, "AKTOKEN_CONFIG")) {
        return path;
    }
    // The XDG spec says relative values are invalid and to be ignored.
    if (const auto xdg = lookup(environment, "XDG_CONFIG_HOME"); xdg && xdg->front() == '/') {
        return *xdg + "/aktoken/config";
    }
    if (const auto home = lookup(environment, "HOME")) {
        return *home + "/.config/aktoken/config";
    }
    return std::nullopt;
}

Settings resolve(const CommandLine& command_line, const Environment& environment) {
    Settings settings;
    const std::span<const SettingSpec> table = setting_table();
    // The profile says which part of the config file the other rows read.
    const bool explicit_profile = resolve_one(settings, table.front(), command_line, environment, nullptr, {});
    settings.config_path = config_file_path(environment);
    const std::optional<Profile> profile =
        load_profile(settings.config_path, settings.profile, explicit_profile, environment);
    const Origin from_profile{Source::profile,
                              fmt::format("{} [{}]", settings.config_path.value_or(""), settings.profile)};
    for (const SettingSpec& spec : table.subspan(1)) {
        resolve_one(settings, spec, command_line, environment, profile ? &*profile : nullptr, from_profile);
    }
    return settings;
}

util::Secret read_token(const TokenSource& source, const Environment& environment, std::istream& stdin_stream) {
    util::Secret secret;
    std::string where;
    switch (source.kind) {
        case TokenSource::Kind::none:
            throw Error(ErrorKind::config,
                        "no API token: use --token-file, AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE or token_file in the "
                        "config profile");
        case TokenSource::Kind::file:
            secret = util::Secret(util::read_secret_file(source.path, "token file"));
            where = source.path;
            break;
        case TokenSource::Kind::stdin_file:
            secret = util::read_capped(stdin_stream, util::max_read_size, "the token from standard input");
            where = "standard input";
            break;
        case TokenSource::Kind::env_value:
            secret = util::Secret(environment("AUTHENTIK_TOKEN").value_or(""));
            where = "AUTHENTIK_TOKEN";
            break;
        case TokenSource::Kind::profile_value:
            secret = util::Secret(std::string(source.value.view()));
            where = source.origin.where;
            break;
    }
    const std::string_view view = util::trim_right(secret.view());
    check_token(view, where);
    if (view.size() == secret.view().size()) {
        return secret;
    }
    return util::Secret(std::string(view));
}

const Setting<std::string>& require_url(const Settings& settings) {
    if (!settings.url) {
        throw Error(ErrorKind::config, "no authentik URL: use --url, AUTHENTIK_URL or url in the config profile");
    }
    return *settings.url;
}

}  // namespace aktoken::config

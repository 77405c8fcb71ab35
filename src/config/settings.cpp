// SPDX-License-Identifier: MIT
#include "aktoken/config/settings.h"

#include <fmt/format.h>
#include <string.h>

#include <charconv>
#include <cstdlib>
#include <istream>
#include <utility>
#include <vector>

#include "aktoken/util/error.h"
#include "aktoken/util/files.h"
#include "aktoken/util/strings.h"
#include "config/ini.h"

namespace aktoken::config {

namespace {

const std::vector<std::string_view> profile_keys{"url",      "token_file", "token", "ca_file",
                                                 "insecure", "timeout",    "output"};

constexpr std::string_view bool_values = "expected true, false, 1, 0, yes or no";
constexpr std::string_view timeout_values = "expected a positive number of seconds";
constexpr double max_timeout = 86400;

// Treats an empty variable as unset even for an injected environment, as process_environment does.
std::optional<std::string> lookup(const Environment& environment, const std::string& name) {
    auto value = environment(name);
    if (value && value->empty()) {
        return std::nullopt;
    }
    return value;
}

std::optional<bool> parse_bool(std::string_view text) {
    const std::string lower = util::to_lower(text);
    if (lower == "true" || lower == "1" || lower == "yes") {
        return true;
    }
    if (lower == "false" || lower == "0" || lower == "no") {
        return false;
    }
    return std::nullopt;
}

enum class TimeoutProblem { none, malformed, too_large };

// Digits with at most one dot, checked by hand because from_chars would also take "1e3", "inf"
// and "nan"; from_chars itself is used because strtod follows the locale's decimal point.
TimeoutProblem parse_timeout(std::string_view text, double& out) {
    bool dot = false;
    bool digit = false;
    for (const char c : text) {
        if (c == '.' && !dot) {
            dot = true;
        } else if (c >= '0' && c <= '9') {
            digit = true;
        } else {
            return TimeoutProblem::malformed;
        }
    }
    double value = 0;
    if (!digit) {
        return TimeoutProblem::malformed;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc::result_out_of_range) {
        return TimeoutProblem::too_large;
    }
    if (error != std::errc() || end != text.data() + text.size() || !(value > 0)) {
        return TimeoutProblem::malformed;
    }
    if (value > max_timeout) {
        return TimeoutProblem::too_large;
    }
    out = value;
    return TimeoutProblem::none;
}

std::string timeout_problem_text(TimeoutProblem problem) {
    return problem == TimeoutProblem::too_large ? fmt::format("at most {} seconds", max_timeout)
                                                : std::string(timeout_values);
}

// Values of one profile after validation, each with the line it came from.
struct ProfileValue {
    std::string value;
    int line = 0;
};

struct Profile {
    std::optional<ProfileValue> url;         // normalised
    std::optional<ProfileValue> token_file;  // made absolute
    std::optional<ProfileValue> token;
    std::optional<ProfileValue> ca_file;  // made absolute
    std::optional<std::pair<bool, int>> insecure;
    std::optional<std::pair<double, int>> timeout;
    std::optional<ProfileValue> output;
};

// Relative paths in the file are meant relative to the file, not to wherever aktoken runs.
std::string profile_path(const std::string& value, const std::string& config_path, const Environment& environment) {
    if (value.rfind("~/", 0) == 0) {
        if (const auto home = lookup(environment, "HOME")) {
            return *home + value.substr(1);
        }
        return value;
    }
    if (value.front() == '/') {
        return value;
    }
    const auto slash = config_path.rfind('/');
    return slash == std::string::npos ? value : config_path.substr(0, slash + 1) + value;
}

// Validates every profile, not only the selected one, so a mistake surfaces when it is made
// rather than the day someone switches profiles.
Profile read_profile(const IniSection& section, const std::string& config_path, const Environment& environment) {
    Profile profile;
    for (const auto& entry : section.entries) {
        const auto fail = [&](const std::string& message) {
            return Error(ErrorKind::config, fmt::format("{}:{}: {}", config_path, entry.line, message));
        };
        if (entry.key == "url") {
            try {
                profile.url = ProfileValue{normalize_base_url(entry.value), entry.line};
            } catch (const Error& e) {
                throw fail(e.what());
            }
        } else if (entry.key == "token_file" || entry.key == "ca_file") {
            if (entry.value.empty()) {
                throw fail(fmt::format("{} is empty", entry.key));
            }
            ProfileValue path{profile_path(entry.value, config_path, environment), entry.line};
            (entry.key == "token_file" ? profile.token_file : profile.ca_file) = std::move(path);
        } else if (entry.key == "token") {
            profile.token = ProfileValue{entry.value, entry.line};
        } else if (entry.key == "insecure") {
            const auto value = parse_bool(entry.value);
            if (!value) {
                throw fail(fmt::format("invalid value \"{}\" for insecure: {}", entry.value, bool_values));
            }
            profile.insecure = std::pair{*value, entry.line};
        } else if (entry.key == "timeout") {
            double value = 0;
            if (const auto problem = parse_timeout(entry.value, value); problem != TimeoutProblem::none) {
                throw fail(
                    fmt::format("invalid value \"{}\" for timeout: {}", entry.value, timeout_problem_text(problem)));
            }
            profile.timeout = std::pair{value, entry.line};
        } else if (entry.key == "output") {
            profile.output = ProfileValue{entry.value, entry.line};
        }
    }
    return profile;
}

bool holds_token(const IniFile& file) {
    for (const auto& section : file.sections) {
        if (section.find("token") != nullptr) {
            return true;
        }
    }
    return false;
}

// Tokens from profiles other than the selected one are not needed; do not leave them in freed memory.
void wipe_tokens(IniFile& file) {
    for (auto& section : file.sections) {
        for (auto& entry : section.entries) {
            if (entry.key == "token") {
                util::wipe(entry.value);
            }
        }
    }
}

std::string list_or_none(const std::vector<std::string>& names) {
    return names.empty() ? std::string("none") : util::join(names, ", ");
}

// The selected profile, or nothing when the file or the profile is missing and that is fine.
std::optional<Profile> load_profile(const std::optional<std::string>& config_path, const std::string& name,
                                    bool explicit_profile, const Environment& environment) {
    const auto fail_missing = [&](const std::string& detail) {
        return Error(ErrorKind::config, fmt::format("profile \"{}\" not found{}", name, detail));
    };
    if (!config_path) {
        if (explicit_profile) {
            throw fail_missing(": no config file (set AKTOKEN_CONFIG, XDG_CONFIG_HOME or HOME)");
        }
        return std::nullopt;
    }
    auto file = util::read_file_with_mode(*config_path, "config file");
    if (!file) {
        if (explicit_profile) {
            throw fail_missing(fmt::format(": {} does not exist", *config_path));
        }
        return std::nullopt;
    }
    IniFile ini;
    try {
        ini = parse_ini(file->content, *config_path, profile_keys);
    } catch (...) {
        util::wipe(file->content);
        throw;
    }
    util::wipe(file->content);
    // Like ssh with a private key: refuse the whole file, whichever profile holds the token.
    if (holds_token(ini) && util::readable_by_others(*file)) {
        wipe_tokens(ini);
        throw Error(ErrorKind::config, fmt::format("{} holds a token and is {}", *config_path,
                                                   util::readable_by_others_hint(*config_path, file->mode)));
    }
    std::optional<Profile> selected;
    try {
        for (const auto& section : ini.sections) {
            Profile profile = read_profile(section, *config_path, environment);
            if (section.name == name) {
                selected = std::move(profile);
            } else if (profile.token) {
                util::wipe(profile.token->value);
            }
        }
    } catch (...) {
        wipe_tokens(ini);
        if (selected && selected->token) {
            util::wipe(selected->token->value);
        }
        throw;
    }
    wipe_tokens(ini);
    if (!selected && explicit_profile) {
        throw fail_missing(fmt::format(" in {} (profiles: {})", *config_path, list_or_none(ini.section_names())));
    }
    return selected;
}

Origin flag(std::string_view name) { return Origin{Source::flag, std::string(name)}; }

Origin variable(std::string_view name) { return Origin{Source::environment, std::string(name)}; }

void check_token(std::string_view token, const std::string& where) {
    if (token.empty()) {
        throw Error(ErrorKind::config, fmt::format("the token in {} is empty", where));
    }
    for (const char c : token) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte == 0x7f) {
            throw Error(ErrorKind::config,
                        fmt::format("the token in {} contains whitespace or control characters", where));
        }
    }
}

std::string read_stream(std::istream& in) {
    std::string content;
    content.reserve(4096);
    char chunk[4096];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        if (content.size() + static_cast<std::size_t>(in.gcount()) > util::max_read_size) {
            explicit_bzero(chunk, sizeof chunk);
            util::wipe(content);
            throw Error(ErrorKind::config, "cannot read the token from standard input: File too large");
        }
        content.append(chunk, static_cast<std::size_t>(in.gcount()));
    }
    explicit_bzero(chunk, sizeof chunk);
    if (in.bad()) {
        util::wipe(content);
        throw Error(ErrorKind::config, "cannot read the token from standard input");
    }
    return content;
}

}  // namespace

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

    bool explicit_profile = true;
    if (command_line.profile) {
        settings.profile = *command_line.profile;
    } else if (auto name = lookup(environment, "AKTOKEN_PROFILE")) {
        settings.profile = std::move(*name);
    } else {
        explicit_profile = false;
    }
    settings.config_path = config_file_path(environment);
    std::optional<Profile> profile =
        load_profile(settings.config_path, settings.profile, explicit_profile, environment);
    const Origin from_profile{Source::profile,
                              fmt::format("{} [{}]", settings.config_path.value_or(""), settings.profile)};

    if (command_line.url) {
        try {
            settings.url = Setting<std::string>{normalize_base_url(*command_line.url), flag("--url")};
        } catch (const Error& e) {
            throw Error(ErrorKind::usage, fmt::format("--url: {}", e.what()));
        }
    } else if (const auto url = lookup(environment, "AUTHENTIK_URL")) {
        try {
            settings.url = Setting<std::string>{normalize_base_url(*url), variable("AUTHENTIK_URL")};
        } catch (const Error& e) {
            throw Error(ErrorKind::config, fmt::format("AUTHENTIK_URL: {}", e.what()));
        }
    } else if (profile && profile->url) {
        settings.url = Setting<std::string>{profile->url->value, from_profile};
    }

    TokenSource& token = settings.token;
    if (command_line.token_file) {
        token.kind = *command_line.token_file == "-" ? TokenSource::Kind::stdin_file : TokenSource::Kind::file;
        token.path = *command_line.token_file;
        token.origin = flag("--token-file");
    } else if (lookup(environment, "AUTHENTIK_TOKEN")) {
        token.kind = TokenSource::Kind::env_value;
        token.origin = variable("AUTHENTIK_TOKEN");
    } else if (auto path = lookup(environment, "AUTHENTIK_TOKEN_FILE")) {
        token.kind = TokenSource::Kind::file;
        token.path = std::move(*path);
        token.origin = variable("AUTHENTIK_TOKEN_FILE");
    } else if (profile && profile->token_file) {
        token.kind = TokenSource::Kind::file;
        token.path = profile->token_file->value;
        token.origin = from_profile;
    } else if (profile && profile->token) {
        token.kind = TokenSource::Kind::profile_value;
        token.value = util::Secret(std::move(profile->token->value));
        token.origin = from_profile;
    }
    if (profile && profile->token) {
        util::wipe(profile->token->value);
    }

    if (command_line.ca_file) {
        settings.ca_file = Setting<std::string>{*command_line.ca_file, flag("--ca-file")};
    } else if (auto path = lookup(environment, "AUTHENTIK_CA_FILE")) {
        settings.ca_file = Setting<std::string>{std::move(*path), variable("AUTHENTIK_CA_FILE")};
    } else if (profile && profile->ca_file) {
        settings.ca_file = Setting<std::string>{profile->ca_file->value, from_profile};
    }

    if (command_line.insecure) {
        settings.insecure = Setting<bool>{*command_line.insecure, flag("--insecure")};
    } else if (const auto text = lookup(environment, "AUTHENTIK_INSECURE")) {
        const auto value = parse_bool(*text);
        if (!value) {
            throw Error(ErrorKind::config,
                        fmt::format("AUTHENTIK_INSECURE: invalid value \"{}\": {}", *text, bool_values));
        }
        settings.insecure = Setting<bool>{*value, variable("AUTHENTIK_INSECURE")};
    } else if (profile && profile->insecure) {
        settings.insecure = Setting<bool>{profile->insecure->first, from_profile};
    }

    if (command_line.timeout) {
        double value = 0;
        if (const auto problem = parse_timeout(*command_line.timeout, value); problem != TimeoutProblem::none) {
            throw Error(ErrorKind::usage, fmt::format("--timeout: invalid value \"{}\": {}", *command_line.timeout,
                                                      timeout_problem_text(problem)));
        }
        settings.timeout = Setting<double>{value, flag("--timeout")};
    } else if (profile && profile->timeout) {
        settings.timeout = Setting<double>{profile->timeout->first, from_profile};
    }

    if (command_line.output) {
        settings.output = Setting<std::string>{*command_line.output, flag("--output")};
    } else if (profile && profile->output) {
        settings.output = Setting<std::string>{profile->output->value, from_profile};
    }
    return settings;
}

util::Secret read_token(const TokenSource& source, const Environment& environment, std::istream& stdin_stream) {
    std::string token;
    std::string where;
    switch (source.kind) {
        case TokenSource::Kind::none:
            throw Error(ErrorKind::config,
                        "no API token: use --token-file, AUTHENTIK_TOKEN, AUTHENTIK_TOKEN_FILE or token_file in the "
                        "config profile");
        case TokenSource::Kind::file:
            token = util::read_secret_file(source.path, "token file");
            where = source.path;
            break;
        case TokenSource::Kind::stdin_file:
            token = read_stream(stdin_stream);
            where = "standard input";
            break;
        case TokenSource::Kind::env_value:
            token = environment("AUTHENTIK_TOKEN").value_or("");
            where = "AUTHENTIK_TOKEN";
            break;
        case TokenSource::Kind::profile_value:
            token = std::string(source.value.view());
            where = source.origin.where;
            break;
    }
    util::Secret secret(std::move(token));
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

// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "aktoken/util/secret.h"

namespace aktoken::config {

// The global settings literally given on the command line; nullopt when not given.
struct CommandLine {
    std::optional<std::string> url;             // --url
    std::optional<std::string> token_file;      // --token-file, "-" for standard input
    std::optional<std::string> ca_file;         // --ca-file
    std::optional<std::string> profile;         // --profile
    std::optional<std::string> output;          // -o/--output, validated by the CLI
    std::optional<bool> insecure;               // --insecure
    std::optional<std::string> timeout;         // --timeout, raw text validated by resolve
    std::optional<std::string> retries;         // --retries, raw text validated by resolve
    std::optional<std::string> retry_max_time;  // --retry-max-time, raw text validated by resolve
    std::optional<bool> quiet;                  // -q/--quiet
};

// Looks up an environment variable; nullopt when unset. Injectable for tests.
using Environment = std::function<std::optional<std::string>(const std::string& name)>;

// Returns an Environment reading the process environment (getenv); empty values count as unset.
Environment process_environment();

// Where a setting came from.
enum class Source { flag, environment, profile, default_value };

// Where a setting came from, with a name to show: "--url", "AUTHENTIK_URL",
// "/home/u/.config/aktoken/config [prod]" or "default".
struct Origin {
    Source source = Source::default_value;
    std::string where = "default";
};

// A resolved value and its origin.
template <class T>
struct Setting {
    T value;
    Origin origin;
};

// Where the API token comes from; resolve() finds it, read_token() reads it.
struct TokenSource {
    enum class Kind {
        none,           // given nowhere
        file,           // read the file at path
        stdin_file,     // --token-file -
        env_value,      // the value of AUTHENTIK_TOKEN
        profile_value,  // the `token` key of the profile, held in value
    };
    Kind kind = Kind::none;
    std::string path;    // file only
    util::Secret value;  // profile_value only, so that the config file is not read twice
    Origin origin;
};

// Every global setting after applying flag > environment > profile > default.
struct Settings {
    std::optional<Setting<std::string>> url;  // normalised by normalize_base_url; nullopt when given nowhere
    TokenSource token;                        // where the token comes from; not read yet
    std::optional<Setting<std::string>> ca_file;
    Setting<bool> insecure{false, {}};         // default false
    Setting<double> timeout{30.0, {}};         // seconds, default 30
    Setting<std::string> output{"table", {}};  // as given; the CLI validates it
    Setting<int> retries{3, {}};               // retries after the first attempt, default 3
    // Seconds within which retries must end; nullopt (the default) and 0 both mean no limit.
    std::optional<Setting<double>> retry_max_time;
    // No notes and no rows about nothing done (rotate's skipped tokens); default false.
    Setting<bool> quiet{false, {}};
    std::string profile = "default";         // --profile > AKTOKEN_PROFILE > "default"
    Origin profile_origin;                   // where `profile` came from
    std::optional<std::string> config_path;  // the config file in use, existing or not
};

// A setting's value as `config show` prints it, with its origin.
struct ShownSetting {
    std::string value;
    Origin origin;
};

// A key of a config profile; a path key's value must not be empty and is taken relative to the
// config file (or to HOME for "~/...").
struct ProfileKey {
    std::string_view name = {};
    bool path = false;
};

// One global setting: its names everywhere and how it is read and shown. resolve(), `config show`
// and the help of the global options all read setting_table(), so a row is the whole of a setting.
struct SettingSpec {
    std::string_view name = {};                      // in `config show`: "timeout"
    std::string_view flag = {};                      // "--timeout", as origins and messages name it
    std::string_view short_flag = {};                // "-o" for --output; empty: none
    std::string_view value_name = {};                // in help: "SECONDS"; empty for a flag without a value
    std::array<std::string_view, 2> variables = {};  // environment variables, first given wins; empty: none
    std::array<ProfileKey, 2> keys = {};             // profile keys, first given wins; empty: none
    std::string_view default_text = {};              // in help: "30"; empty when there is no default to name
    std::string_view help = {};                      // one line for --help, without the default and variables
    // `config show` for a setting given nowhere: the source ("unset" when the command needs it,
    // "default" otherwise) and a hint; unused for settings that always have a value.
    std::string_view unset_source = {};
    std::string_view unset_hint = {};
    // What a refused value is called in messages: "value", or "URL", which names the key already
    // ("invalid URL ..." rather than "invalid value ... for url").
    std::string_view noun = "value";

    // The flag's text in the command line, nullopt when not given.
    std::optional<std::string> (*given)(const CommandLine& command_line) = nullptr;
    // Stores the flag's text (ignored for a flag without a value) in the command line.
    void (*set)(CommandLine& command_line, const std::string& text) = nullptr;
    // Checks `text` (given as `from`: the flag, variable or key) and stores it with `origin` in
    // `settings`; false with `problem` set to what is accepted ("expected ...") if it is invalid.
    bool (*apply)(Settings& settings, std::string_view text, std::string_view from, const Origin& origin,
                  std::string* problem) = nullptr;
    // The value and origin for `config show`; nullopt when given nowhere.
    std::optional<ShownSetting> (*show)(const Settings& settings) = nullptr;
};

// The global settings in the order of `config show`: profile, url, token, ca_file, insecure,
// timeout, output, retries, retry_max_time, quiet. The profile row is resolved first, before the config
// file is read, and has no key.
std::span<const SettingSpec> setting_table();

// The help line of a setting's flag: "<help> (default <default>; env <VARIABLE>, ...)", each part
// only when there is one: "Retries of failed requests, 0 to 10 (default 3; env AKTOKEN_RETRIES)".
std::string flag_help(const SettingSpec& spec);

// Resolves the settings, reading the config file once if it exists. Throws aktoken::Error: usage
// for an invalid flag value, config for an invalid environment value, a broken or unsafe config
// file, or a requested profile that is not there.
Settings resolve(const CommandLine& command_line, const Environment& environment);

// Reads the token from its source, trailing whitespace removed. Throws aktoken::Error (config)
// when there is none, it is empty, holds whitespace or control characters, or its file is
// unreadable or readable by others; messages never include the token.
util::Secret read_token(const TokenSource& source, const Environment& environment, std::istream& stdin_stream);

// Returns the URL, or throws aktoken::Error (config) naming the ways to give one.
const Setting<std::string>& require_url(const Settings& settings);

// Turns a user-given authentik URL into the API base: http(s) only, no trailing slash, /api/v3
// appended unless present ("https://ak.example.com/" -> "https://ak.example.com/api/v3"). Throws
// aktoken::Error (config) "invalid URL \"...\": expected http(s)://HOST[:PORT][/PATH]".
std::string normalize_base_url(std::string_view url);

// normalize_base_url without the exception: nullopt for a URL it refuses.
std::optional<std::string> parse_base_url(std::string_view url);

// Returns $AKTOKEN_CONFIG, else $XDG_CONFIG_HOME/aktoken/config (when absolute), else
// $HOME/.config/aktoken/config; nullopt when none of these is set.
std::optional<std::string> config_file_path(const Environment& environment);

}  // namespace aktoken::config

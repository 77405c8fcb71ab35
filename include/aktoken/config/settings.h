// SPDX-License-Identifier: MIT
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "aktoken/util/secret.h"

namespace aktoken::config {

// The global settings literally given on the command line; nullopt when not given.
struct CommandLine {
    std::optional<std::string> url;         // --url
    std::optional<std::string> token_file;  // --token-file, "-" for standard input
    std::optional<std::string> ca_file;     // --ca-file
    std::optional<std::string> profile;     // --profile
    std::optional<std::string> output;      // -o/--output, validated by the CLI
    std::optional<bool> insecure;           // --insecure
    std::optional<std::string> timeout;     // --timeout, raw text validated by resolve
    std::optional<std::string> retries;         // --retries
    std::optional<std::string> retry_max_time;  // --retry-max-time
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
    std::string profile = "default";           // --profile > AKTOKEN_PROFILE > "default"
    std::optional<std::string> config_path;    // the config file in use, existing or not
};

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

// Returns $AKTOKEN_CONFIG, else $XDG_CONFIG_HOME/aktoken/config (when absolute), else
// $HOME/.config/aktoken/config; nullopt when none of these is set.
std::optional<std::string> config_file_path(const Environment& environment);

}  // namespace aktoken::config

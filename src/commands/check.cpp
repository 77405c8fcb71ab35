// SPDX-License-Identifier: MIT
#include "aktoken/commands/check.h"

#include "aktoken/commands/get.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <utility>

#include "aktoken/commands/token_fields.h"
#include "aktoken/json/codec.h"
#include "aktoken/output/list.h"
#include "aktoken/util/files.h"
#include "aktoken/util/strings.h"

namespace aktoken::commands {
namespace {

using std::chrono::seconds;

constexpr const char* kDurationExpected = "expected a duration such as 14d, 12h, 1d12h";
constexpr std::string_view kSeparator = "  ";

// The first list filter that is set, by its flag name; nullopt when none is.
std::optional<std::string_view> first_filter(const ListFlags& f) {
    const std::pair<bool, std::string_view> filters[] = {
        {f.identifier.has_value(), "--identifier"},
        {f.intent.has_value(), "--intent"},
        {f.user.has_value(), "--user"},
        {f.description.has_value(), "--description"},
        {f.managed.has_value(), "--managed"},
        {f.expiring, "--expiring"},
        {f.no_expiring, "--no-expiring"},
        {f.search.has_value(), "--search"},
        {f.ordering.has_value(), "--ordering"},
        {f.expiring_within.has_value(), "--expiring-within"},
        {f.expired, "--expired"},
        {f.limit.has_value(), "--limit"},
    };
    for (const auto& [set, name] : filters) {
        if (set) {
            return name;
        }
    }
    return std::nullopt;
}

seconds duration_flag(std::string_view flag, const std::optional<std::string>& value, seconds fallback) {
    if (!value) {
        return fallback;
    }
    const std::optional<seconds> parsed = util::parse_duration(*value);
    if (!parsed) {
        invalid_value(flag, *value, kDurationExpected);
    }
    return *parsed;
}

// How a duration flag is named in a message about the other one: its value as given, or the default.
std::string described(const std::optional<std::string>& value, seconds fallback) {
    return value ? quoted(*value) : fmt::format("({}, the default)", util::format_duration(fallback));
}

// Whether the token expires at all, and when.
std::optional<util::Timestamp> expiry(const model::Token& token) {
    if (!token.expiring || !token.expires) {
        return std::nullopt;
    }
    return token.expires;
}

// Whole seconds until expiry, rounded up: <= 0 exactly when the token has expired.
std::optional<std::int64_t> seconds_left(const model::Token& token, util::Timestamp now) {
    if (auto at = expiry(token)) {
        return std::chrono::ceil<seconds>(*at - now).count();
    }
    return std::nullopt;
}

std::string left_text(const model::Token& token, util::Timestamp now) {
    const std::optional<util::Timestamp> at = expiry(token);
    if (!at) {
        return "-";
    }
    const std::string relative = util::format_relative(*at, now);
    if (*at <= now) {
        return relative == "now" ? "expired now" : relative;
    }
    if (relative == "now") {
        return "0s";
    }
    return relative.substr(relative.find(' ') + 1);  // without "in "
}

std::string expires_value(const model::Token& token) {
    return token.expires ? util::format_timestamp(*token.expires) : "never";
}

std::optional<std::string> username(const model::Token& token) {
    if (token.user_obj) {
        return token.user_obj->username;
    }
    return std::nullopt;
}

std::string object_json(const model::Token& token, TokenState state, util::Timestamp now) {
    const std::optional<std::int64_t> left = seconds_left(token, now);
    const std::optional<std::string> user = username(token);
    return fmt::format(R"({{"identifier":{},"state":"{}","expires":{},"seconds_left":{},"intent":{},"user":{}}})",
                       json::quote(token.identifier), state_name(state),
                       token.expires ? json::quote(util::format_timestamp(*token.expires)) : "null",
                       left ? fmt::format("{}", *left) : "null", json::quote(token.intent),
                       user ? json::quote(*user) : "null");
}

int state_color(TokenState state) {
    switch (state) {
        case TokenState::ok:
            return 0;
        case TokenState::warning:
            return 33;
        case TokenState::critical:
        case TokenState::expired:
            return 31;
    }
    return 0;
}

std::string table_text(const std::vector<model::Token>& tokens, const std::vector<TokenState>& states,
                       const output::Style& style, bool headers) {
    constexpr std::size_t n = 4;
    std::vector<std::array<std::string, n>> rows;
    if (headers) {
        rows.push_back({"STATE", "IDENTIFIER", "EXPIRES", "LEFT"});
    }
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        rows.push_back({std::string(state_name(states[i])), output::escape_cell(tokens[i].identifier),
                        expires_value(tokens[i]), left_text(tokens[i], style.now)});
    }
    std::array<std::size_t, n> widths{};
    for (const auto& row : rows) {
        for (std::size_t c = 0; c < n; ++c) {
            widths[c] = std::max(widths[c], output::display_width(row[c]));
        }
    }
    std::string out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        std::string line;
        for (std::size_t c = 0; c < n; ++c) {
            const std::string& text = rows[r][c];
            const bool is_state = c == 0 && (!headers || r > 0);
            const int color = is_state ? state_color(states[headers ? r - 1 : r]) : 0;
            line += color != 0 ? output::paint(text, color, style.color) : text;
            if (c + 1 < n) {
                line.append(widths[c] - output::display_width(text), ' ');
                line += kSeparator;
            }
        }
        out += util::trim_right(line);
        out += '\n';
    }
    return out;
}

std::string tsv_text(const std::vector<model::Token>& tokens, const std::vector<TokenState>& states,
                     util::Timestamp now, bool headers) {
    std::string out;
    if (headers) {
        out += "state\tidentifier\texpires\tseconds_left\tintent\tuser\n";
    }
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const model::Token& token = tokens[i];
        const std::optional<std::int64_t> left = seconds_left(token, now);
        out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", state_name(states[i]), output::escape_tsv(token.identifier),
                           expires_value(token), left ? fmt::format("{}", *left) : "-",
                           output::escape_tsv(token.intent), output::escape_tsv(username(token).value_or("-")));
    }
    return out;
}

std::string report(const std::vector<model::Token>& tokens, const std::vector<TokenState>& states, bool headers,
                   output::Format format, const output::Style& style) {
    if (tokens.empty()) {
        return format == output::Format::json ? "[]\n" : "";
    }
    switch (format) {
        case output::Format::table:
        case output::Format::wide:
            return table_text(tokens, states, style, headers);
        case output::Format::json: {
            std::vector<std::string> objects;
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                objects.push_back(object_json(tokens[i], states[i], style.now));
            }
            std::string out = json::pretty_array(objects);
            out += '\n';
            return out;
        }
        case output::Format::jsonl: {
            std::string out;
            for (std::size_t i = 0; i < tokens.size(); ++i) {
                out += object_json(tokens[i], states[i], style.now);
                out += '\n';
            }
            return out;
        }
        case output::Format::tsv:
            return tsv_text(tokens, states, style.now, headers);
        case output::Format::id: {
            std::string out;
            for (const model::Token& token : tokens) {
                out += token.identifier;
                out += '\n';
            }
            return out;
        }
    }
    return {};
}

std::vector<TokenState> states_of(const std::vector<model::Token>& tokens, const CheckPlan& plan,
                                  util::Timestamp now) {
    std::vector<TokenState> states;
    states.reserve(tokens.size());
    for (const model::Token& token : tokens) {
        states.push_back(state_of(token, now, plan.warn, plan.crit));
    }
    return states;
}

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

std::string labels(const model::Token& token) {
    return fmt::format(R"({{identifier="{}",intent="{}",username="{}"}})", label_value(token.identifier),
                       label_value(token.intent), label_value(username(token).value_or("")));
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

CheckPlan plan_check(const CheckFlags& flags) {
    CheckPlan plan;
    check_identifiers(flags.identifiers);
    if (flags.filters.columns) {
        throw Error(ErrorKind::usage, "--columns cannot be used with check: its columns are fixed");
    }
    if (!flags.identifiers.empty()) {
        if (const auto filter = first_filter(flags.filters)) {
            throw Error(ErrorKind::usage, fmt::format("{} cannot be used with IDENTIFIER arguments: the list filters "
                                                      "select the tokens only when no IDENTIFIER is given",
                                                      *filter));
        }
    }
    plan.list = plan_list(flags.filters);
    plan.identifiers = flags.identifiers;
    plan.headers = !flags.filters.no_headers;

    plan.warn = duration_flag("--warn", flags.warn, kDefaultWarn);
    plan.crit = duration_flag("--crit", flags.crit, kDefaultCrit);
    if (plan.crit > plan.warn) {
        if (flags.crit) {
            invalid_value("--crit", *flags.crit,
                          fmt::format("must not exceed --warn {}", described(flags.warn, kDefaultWarn)));
        }
        invalid_value("--warn", flags.warn.value_or(""),
                      fmt::format("must not be less than --crit {}", described(flags.crit, kDefaultCrit)));
    }

    if (flags.prometheus) {
        if (flags.prometheus->empty()) {
            invalid_value("--prometheus", *flags.prometheus, "expected a file path");
        }
        if (*flags.prometheus == "-") {
            invalid_value("--prometheus", *flags.prometheus,
                          "expected a file path (the file is replaced atomically; standard output is not possible)");
        }
        check_output_file("--prometheus", *flags.prometheus, *flags.prometheus);
        plan.prometheus = flags.prometheus;
    }
    return plan;
}

std::string_view state_name(TokenState state) {
    switch (state) {
        case TokenState::ok:
            return "OK";
        case TokenState::warning:
            return "WARNING";
        case TokenState::critical:
            return "CRITICAL";
        case TokenState::expired:
            return "EXPIRED";
    }
    return "UNKNOWN";
}

TokenState state_of(const model::Token& token, util::Timestamp now, seconds warn, seconds crit) {
    const std::optional<util::Timestamp> at = expiry(token);
    if (!at) {
        return TokenState::ok;
    }
    if (*at <= now) {
        return TokenState::expired;
    }
    if (*at <= now + crit) {
        return TokenState::critical;
    }
    if (*at <= now + warn) {
        return TokenState::warning;
    }
    return TokenState::ok;
}

int check_exit_code(const std::vector<TokenState>& states) {
    int code = 0;
    for (TokenState state : states) {
        code = std::max(code, state == TokenState::ok ? 0 : state == TokenState::warning ? 1 : 2);
    }
    return code;
}

std::string prometheus_text(const std::vector<model::Token>& tokens) {
    std::string out =
        "# HELP authentik_token_expires_timestamp_seconds When the authentik token expires, in Unix seconds "
        "(only tokens that expire).\n"
        "# TYPE authentik_token_expires_timestamp_seconds gauge\n";
    for (const model::Token& token : tokens) {
        if (const auto at = expiry(token)) {
            out += fmt::format("authentik_token_expires_timestamp_seconds{} {}\n", labels(token), unix_seconds(*at));
        }
    }
    out +=
        "# HELP authentik_token_expiring Whether the authentik token is set to expire (its expiring field).\n"
        "# TYPE authentik_token_expiring gauge\n";
    for (const model::Token& token : tokens) {
        out += fmt::format("authentik_token_expiring{} {}\n", labels(token), token.expiring ? 1 : 0);
    }
    return out;
}

std::string check_report(const std::vector<model::Token>& tokens, const CheckPlan& plan, output::Format format,
                         const output::Style& style) {
    return report(tokens, states_of(tokens, plan, style.now), plan.headers, format, style);
}

int run_check(Context& context, const CheckPlan& plan) {
    const util::Timestamp now = context.style.now;
    // Everything is read first: a check that fails part-way prints nothing and writes no file.
    std::vector<model::Token> tokens;
    if (!plan.identifiers.empty()) {
        for (std::optional<model::Token>& token : fetch_tokens(context, plan.identifiers, nullptr)) {
            tokens.push_back(std::move(*token));
        }
    } else {
        for_each_listed_page(context, plan.list, now, [&](std::vector<model::Token>& page) {
            std::move(page.begin(), page.end(), std::back_inserter(tokens));
        });
    }
    if (plan.prometheus) {
        // It holds no secret, and node_exporter usually runs as another user.
        util::write_file_atomic(*plan.prometheus, prometheus_text(tokens), 0644);
    }
    const std::vector<TokenState> states = states_of(tokens, plan, now);
    context.out << report(tokens, states, plan.headers, context.format, context.style);
    context.out.flush();
    if (context.style.terminal) {
        std::array<std::size_t, 4> counts{};
        for (TokenState state : states) {
            ++counts[static_cast<std::size_t>(state)];
        }
        context.err << fmt::format("aktoken: check: {} token{}: {} OK, {} WARNING, {} CRITICAL, {} EXPIRED\n",
                                   tokens.size(), tokens.size() == 1 ? "" : "s", counts[0], counts[1], counts[2],
                                   counts[3]);
    }
    return check_exit_code(states);
}

}  // namespace aktoken::commands

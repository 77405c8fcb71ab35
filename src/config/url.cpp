// SPDX-License-Identifier: MIT
// normalize_base_url (declared in settings.h): a small URL parser of its own, apart from the
// precedence rules.
#include <fmt/format.h>

#include "aktoken/config/settings.h"
#include "aktoken/util/error.h"
#include "aktoken/util/strings.h"

namespace aktoken::config {

std::string normalize_base_url(std::string_view url) {
    if (auto base = parse_base_url(url)) {
        return std::move(*base);
    }
    throw Error(ErrorKind::config, fmt::format("invalid URL \"{}\": expected http(s)://HOST[:PORT][/PATH]", url));
}

std::optional<std::string> parse_base_url(std::string_view url) {
    for (const char c : url) {
        const auto byte = static_cast<unsigned char>(c);
        // Userinfo would put a password in every message that shows the URL.
        if (byte <= 0x20 || byte == 0x7f || c == '?' || c == '#' || c == '@') {
            return std::nullopt;
        }
    }
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string scheme = util::to_lower(url.substr(0, scheme_end));
    if (scheme != "http" && scheme != "https") {
        return std::nullopt;
    }
    const std::string_view rest = url.substr(scheme_end + 3);
    const auto path_start = rest.find('/');
    const std::string_view authority = rest.substr(0, path_start);
    std::string_view path = path_start == std::string_view::npos ? std::string_view() : rest.substr(path_start);

    std::string_view host = authority;
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos || close == 1) {
            return std::nullopt;
        }
        host = authority.substr(0, close + 1);
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return std::nullopt;
            }
            port = after.substr(1);
            if (port.empty()) {
                return std::nullopt;
            }
        }
    } else if (const auto colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
        if (port.empty()) {
            return std::nullopt;
        }
    }
    if (host.empty()) {
        return std::nullopt;
    }
    if (!port.empty()) {
        const auto number = util::parse_positive_int(port);
        if (!number || *number > 65535) {
            return std::nullopt;
        }
    }
    while (!path.empty() && path.back() == '/') {
        path.remove_suffix(1);
    }
    std::string result = fmt::format("{}://{}{}", scheme, authority, path);
    constexpr std::string_view api = "/api/v3";
    if (path.size() < api.size() || path.substr(path.size() - api.size()) != api) {
        result += api;
    }
    return result;
}

}  // namespace aktoken::config

// SPDX-License-Identifier: MIT
#include "aktoken/http/status.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace aktoken::http {

namespace {

struct Reason {
    long status;
    std::string_view text;
};

constexpr std::array<Reason, 12> reasons{{
    {400, "Bad Request"},
    {401, "Unauthorized"},
    {403, "Forbidden"},
    {404, "Not Found"},
    {405, "Method Not Allowed"},
    {409, "Conflict"},
    {415, "Unsupported Media Type"},
    {429, "Too Many Requests"},
    {500, "Internal Server Error"},
    {502, "Bad Gateway"},
    {503, "Service Unavailable"},
    {504, "Gateway Timeout"},
}};

}  // namespace

std::string_view status_text(long status) {
    const auto* found =
        std::find_if(reasons.begin(), reasons.end(), [&](const Reason& reason) { return reason.status == status; });
    return found == reasons.end() ? std::string_view() : found->text;
}

std::string status_line(long status) {
    const std::string_view text = status_text(status);
    return text.empty() ? fmt::format("HTTP {}", status) : fmt::format("HTTP {} {}", status, text);
}

}  // namespace aktoken::http

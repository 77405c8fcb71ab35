// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>

namespace aktoken::http {

// The reason phrase of a status that authentik, or a proxy in front of it, answers with ("Not
// Found" for 404); empty for any other status.
std::string_view status_text(long status);

// "HTTP 503 Service Unavailable", or "HTTP 418" for a status without a known reason phrase.
std::string status_line(long status);

}  // namespace aktoken::http

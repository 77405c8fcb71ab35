// SPDX-License-Identifier: MIT
// Request handlers: the authentik API under /api/v3 and the sandbox's own control API.
#pragma once

#include <httplib.h>

#include <string>

#include "server.h"

namespace sandbox {

// Answers one /api/v3 request (or any unknown path) exactly as authentik would.
void handle_api(SandboxState& state, const httplib::Request& req, httplib::Response& res);

// Answers one /_sandbox/ control request.
void handle_control(SandboxState& state, const httplib::Request& req, httplib::Response& res);

void send_json(httplib::Response& res, int status, const std::string& body);
void send_empty(httplib::Response& res, int status);

}  // namespace sandbox

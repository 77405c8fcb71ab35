// SPDX-License-Identifier: MIT
// What check keeps of each token (check.cpp), shared with its Prometheus textfile
// (check_textfile.cpp); private to src/commands.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aktoken/commands/check.h"
#include "aktoken/model/token.h"
#include "aktoken/util/time.h"

namespace aktoken::commands::checking {

// What check keeps of a token until it reports: its row, its share of the summary and its
// Prometheus samples, not the whole token.
struct Checked {
    std::string identifier;
    std::string intent;
    std::optional<std::string> username;
    std::optional<util::Timestamp> expires;  // as stored, also when the token does not expire
    bool expiring = false;
    TokenState state = TokenState::ok;
    std::optional<util::Timestamp> retired_until;  // a retired generation's, from its name
};

// Whether the token expires at all, and when.
std::optional<util::Timestamp> expiry(bool expiring, const std::optional<util::Timestamp>& expires);

// When a checked token expires, as check judges it: a retired generation's expiry is not judged.
std::optional<util::Timestamp> expiry(const Checked& token);

// The row kept of a token found in `state`.
Checked checked(const model::Token& token, TokenState state);

// The node_exporter textfile for the tokens checked (check --prometheus).
std::string prometheus_samples(const std::vector<Checked>& tokens);

}  // namespace aktoken::commands::checking

// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aktoken/api/client.h"
#include "aktoken/model/token.h"
#include "aktoken/output/records.h"
#include "aktoken/util/error.h"
#include "aktoken/util/time.h"

// What authentik does with a write (authentik-api.md, "What the server does with a write"):
// the one place in aktoken that knows it. update, create and rotate predict their writes and
// refuse the ones that hurt with it; the sandbox is the other, separately written, place.
namespace aktoken::commands {

// Reads authentik's `hours=1;minutes=30` form (timedelta_from_string: weeks, days, hours,
// minutes, seconds, whole numbers); nullopt for anything else.
std::optional<std::chrono::seconds> parse_authentik_duration(std::string_view text);

// authentik's default token duration, read once per run with GET /admin/settings/ when first
// needed. Only superusers (and holders of authentik_rbac.view_system_settings) may read it; for
// anyone else it stays unknown. Thread-safe: a bulk run's workers share it.
class DefaultDuration {
public:
    // The duration, or nullopt when the caller may not read the settings.
    std::optional<std::chrono::seconds> get(api::Client& client);

private:
    std::mutex mutex_;
    bool read_ = false;
    std::optional<std::chrono::seconds> duration_;
};

// One field of a planned write: what the token holds now, what is sent, what authentik will
// store, and why when that is authentik's own choice or has a consequence.
struct PlannedField {
    std::string field;
    output::Value current;    // null "-" when the token was not read (create, --no-preserve)
    output::Value requested;  // null "-" when the field is not sent
    output::Value predicted;
    std::string reason;
};

// What a write will leave behind, as far as aktoken can tell before sending it.
struct WritePrediction {
    std::string intent;                      // api or app_password: authentik's default is api
    std::optional<bool> expiring;            // nullopt: not read and not sent
    bool expiry_reset = false;               // authentik sets expires = now + the default duration
    bool expiry_known = true;                // false: unknown before the write
    std::optional<util::Timestamp> expires;  // when expiry_known; nullopt: null
    std::vector<PlannedField> fields;
    std::vector<std::string> warnings;  // consequences: housekeeping, a changed intent or owner
};

// Predicts the write of `body` (as it will be sent) to `current` (nullptr: a create, or a PATCH
// of a token that was not read). `duration` is authentik's default token duration when known.
WritePrediction predict_write(const model::Token* current, const model::TokenPatch& body, bool create,
                              util::Timestamp now, std::optional<std::chrono::seconds> duration);

// Whether the prediction of this write needs the default token duration to be exact.
bool needs_default_duration(const model::Token* current, const model::TokenPatch& body, bool create);

// Whether this write would move the future expiry of a token that stays expiring and api, unless
// `duration` shows that the new expiry is not earlier (unknown counts as earlier).
bool resets_future_expiry(const model::Token& current, const model::TokenPatch& body, util::Timestamp now,
                          std::optional<std::chrono::seconds> duration);

// The guards: why authentik's answer to this write would hurt, or nullopt when it may be sent.
// `asked` holds only the fields the user gave; `body` what will be sent. `subject` names the
// token in the message (`token "ci"`). --expires never that leaves a token expiring is always
// refused; an api expiry authentik would reset or ignore only without `allow_expiry_reset`.
std::optional<std::string> refusal(const std::string& subject, const model::Token* current,
                                   const model::TokenPatch& asked, const model::TokenPatch& body, bool create,
                                   util::Timestamp now, std::optional<std::chrono::seconds> duration,
                                   bool allow_expiry_reset);

// For a 400 "Token expires exceeds maximum lifetime (...)": a hint naming the limit the server
// gave and the attribute that raises it; nullopt for any other error.
std::optional<std::string> lifetime_hint(const Error& error);

// How a duration reads in messages: "30m", or "the server's default token duration".
std::string duration_words(std::optional<std::chrono::seconds> duration);

}  // namespace aktoken::commands

// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace aktoken {

// What went wrong, at the granularity of the documented exit-status table.
enum class ErrorKind {
    internal,     // 1
    usage,        // 2: bad flag or value, nothing was sent
    config,       // 3: no URL or token, unreadable or unsafe config or token file
    auth,         // 4: authentication failed
    permission,   // 5: permission denied
    not_found,    // 6
    rejected,     // 7: 400, 409, other 4xx; with --strict an overridden value
    server,       // 8: 5xx or a response authentik would not send
    network,      // 9: DNS, connect, TLS, timeout
    busy,         // 10: lock held
    output,       // 11: standard output cannot be written
    delivery,     // 12: rotate --exec failed (with --overlap: rolled back)
    interrupted,  // 130: SIGINT
    terminated,   // 143: SIGTERM
};

// Field name -> the server's messages for it (DRF validation errors), in server order.
using FieldErrors = std::vector<std::pair<std::string, std::vector<std::string>>>;

// what() is a C string: a NUL in a message (from a server's detail, say) would cut off what
// follows it, so it is written as the escape every report shows it as.
inline std::string without_nul(const std::string& message) {
    std::string out;
    for (const char c : message) {
        if (c == '\0') {
            out += "\\x00";
        } else {
            out += c;
        }
    }
    return out;
}

// The one exception type that crosses module boundaries; cli::run turns it into a message
// and an exit code.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message, std::optional<long> status = std::nullopt,
          FieldErrors fields = {})
        : std::runtime_error(without_nul(message)), kind_(kind), status_(status), fields_(std::move(fields)) {}

    ErrorKind kind() const { return kind_; }
    std::optional<long> status() const { return status_; }
    const FieldErrors& fields() const { return fields_; }

    // The token one item of a bulk command failed on, when the message does not name it;
    // empty otherwise. Reports put it in front of every line.
    const std::string& token() const { return token_; }
    void set_token(std::string identifier) { token_ = std::move(identifier); }

private:
    ErrorKind kind_;
    std::optional<long> status_;
    FieldErrors fields_;
    std::string token_;
};

}  // namespace aktoken

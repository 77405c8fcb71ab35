// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <utility>

#include "aktoken/util/error.h"

namespace aktoken::http {

// Whether a request that got no answer may have reached the server.
enum class Delivery {
    not_sent,    // failed before any byte of the request was sent (DNS, connect, connect timeout)
    maybe_sent,  // the request may have been sent, and even applied: the outcome is unknown
};

// The aktoken::Error a Transport throws when it gets no answer, saying whether the request may
// have been delivered (so that a POST that creates is resent only when it certainly was not) and
// whether trying again could help at all (a certificate that fails verification will fail again).
// Code that does not care catches it as an aktoken::Error; a plain aktoken::Error thrown by a
// Transport counts as maybe_sent and transient.
class TransportError : public Error {
public:
    TransportError(ErrorKind kind, const std::string& message, Delivery delivery, bool transient = true)
        : Error(kind, message), delivery_(delivery), transient_(transient) {}

    // Wraps an Error built elsewhere (e.g. by describe_curl_failure), keeping kind and message.
    TransportError(const Error& error, Delivery delivery, bool transient = true)
        : Error(error), delivery_(delivery), transient_(transient) {}

    Delivery delivery() const { return delivery_; }
    bool transient() const { return transient_; }

private:
    Delivery delivery_;
    bool transient_;
};

}  // namespace aktoken::http

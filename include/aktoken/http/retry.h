// SPDX-License-Identifier: MIT
#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "aktoken/http/transport.h"
#include "aktoken/http/transport_error.h"
#include "aktoken/util/error.h"

namespace aktoken::http {

// How often and how long a RetryingTransport tries again.
struct RetryPolicy {
    // Retries after the first attempt (--retries, AKTOKEN_RETRIES); 0 sends once.
    int retries = 3;
    // Budget in seconds, from the start of the first attempt, within which every retry's wait must
    // end (--retry-max-time); 0 means no limit besides `retries`.
    double max_time_seconds = 0;
    // Backoff before retry n (1-based) is min(max_delay, base * 2^(n-1)) before jitter.
    double base_delay_seconds = 1;
    double max_delay_seconds = 30;
    // A Retry-After longer than this is waited for only this long.
    double retry_after_cap_seconds = 60;
    // Also note the retries refused for safety or for the time budget (a diagnostic, for -v);
    // the retries themselves are always noted.
    bool note_refusals = true;
};

// Parses an HTTP-date (RFC 9110 5.6.7): IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
// "Sunday, 06-Nov-94 08:49:37 GMT" (a two-digit year more than 50 years after `now` is taken in
// the previous century) or asctime "Sun Nov  6 08:49:37 1994"; names are matched ignoring case,
// the day name must be a valid one but is not checked against the date; years before 1583 (the
// Gregorian calendar, where curl_getdate() stops) are refused. nullopt if invalid.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                        std::chrono::system_clock::time_point now);

// Parses a Retry-After value, surrounding spaces and tabs ignored: delta-seconds (digits only,
// saturating at 2147483648 as RFC 9111 1.2.2 asks) or an HTTP-date, which gives the time from
// `now` until then (0 for a date in the past). nullopt for anything else.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

// Whether sending the request twice has the effect of sending it once: GET, HEAD, OPTIONS, PUT,
// PATCH and DELETE, and POST to a .../set_key/ URL (it sets the same key again).
bool is_idempotent(const Request& request);

// What one attempt says about retrying.
enum class Outcome {
    done,         // an answer to return (success or an error that retrying will not fix)
    not_applied,  // transient and certainly not applied: safe to retry any request
    unknown,      // transient, but the request may have been applied: retry only idempotent ones
};

// 429 and 503 are not_applied (the server refused before acting; authentik's front proxy answers
// 503 while booting), 502 and 504 unknown (an upstream may have acted), anything else done.
Outcome classify_status(long status);

// A network Error is unknown, or not_applied if it is a TransportError saying not_sent; a
// TransportError that is not transient, and any other kind (usage, config, a server error such
// as an oversized body, internal), is done.
Outcome classify_error(const Error& error);

// The wait before retry n (1-based): the backoff min(max_delay, base * 2^(n-1)) with "equal
// jitter", i.e. scaled by 0.5 + jitter / 2 so that it lies between half and all of the backoff
// (jitter is clamped to [0, 1]; it never waits next to nothing, which would be useless against a
// booting server), but at least min(retry_after, retry_after_cap) when the server sent one.
std::chrono::duration<double> retry_delay(int n, const RetryPolicy& policy, double jitter,
                                          std::optional<std::chrono::seconds> retry_after);

// Hooks for retries, replaceable in tests.
// Reports a retry, or a retry refused, as one line without newline (for -v).
using RetryNote = std::function<void(std::string_view line)>;
// Measures the time budget; the default reads std::chrono::steady_clock.
using RetryClock = std::function<std::chrono::steady_clock::time_point()>;
// Uniform in [0, 1]; the default draws from a std::mt19937_64 seeded at its first use.
using RetryRandom = std::function<double()>;

// The real clock and jitter, for callers that have no test doubles to pass.
RetryClock real_retry_clock();
RetryRandom real_retry_jitter();

// The retry decisions for one request, attempt after attempt, as RetryingTransport documents
// them: RetryingTransport sleeps through the waits, CurlMulti keeps other transfers going
// meanwhile. The hooks are the owner's and must outlive the state.
class RetryState {
public:
    // The first attempt is about to start; the --retry-max-time budget starts now.
    RetryState(const Request& request, const RetryPolicy& policy, const RetryNote& note, const RetryClock& clock,
               RetryRandom& jitter);

    // After an attempt that got `response`: the wait before the next attempt, or nullopt to
    // return this answer.
    std::optional<std::chrono::duration<double>> after_answer(const Response& response);
    // After an attempt that threw `error`: the wait before the next attempt, or nullopt to
    // rethrow it.
    std::optional<std::chrono::duration<double>> after_error(const Error& error);

    // Attempts made so far, the current one included.
    int attempts() const { return attempts_; }
    // When retrying stopped on a transient failure after more than one attempt (retries or the
    // time budget ran out, or a repeat was unsafe): "; gave up after N attempts", for the final
    // error. Empty otherwise.
    std::string gave_up_text() const;
    // The error to rethrow after after_error() said stop: `error` with gave_up_text() appended
    // (same kind, status, delivery); nullptr when there is nothing to add.
    std::exception_ptr final_error(const Error& error) const;
    // Marks the answer to return after after_answer() said stop with the attempts it took
    // (Response::attempts), when retries ran out on it.
    void finish(Response& response) const;
    // Whether a retry followed an attempt whose outcome was unknown.
    bool retried_after_unknown_outcome() const { return retried_after_unknown_; }

private:
    std::optional<std::chrono::duration<double>> decide(Outcome outcome, const std::string& cause,
                                                        const Response* response);

    std::string method_;
    bool idempotent_;
    const RetryPolicy& policy_;
    const RetryNote& note_;
    const RetryClock& clock_;
    RetryRandom& jitter_;
    std::chrono::steady_clock::time_point start_;
    int attempts_ = 1;
    bool retried_after_unknown_ = false;
    bool stopped_ = false;  // the last decision was "no more", on a transient failure
};

// A Transport that sends through another one and tries again, with backoff, after failures that
// are transient and safe to repeat (see classify_status, classify_error, is_idempotent):
// - an answer is retried on 429 and 503 for any method, on 502 and 504 only when idempotent;
// - a network error is retried when idempotent, or when the TransportError says not_sent;
// - when it stops, it returns the last answer or rethrows the last exception unchanged.
// With `note` set, every retry, and every retry refused for safety or for the time budget, is
// reported as one complete line without newline, before the wait:
//   aktoken: retrying in 2 s (503 Service Unavailable), attempt 2 of 4
//   aktoken: retrying in 1.4 s (cannot connect to example.org:443: Connection refused), attempt 3 of 4
//   aktoken: no retry, a POST may have been applied: HTTP 502 Bad Gateway
//   aktoken: no retry, 8.0 s wait exceeds the 5.0 s left of --retry-max-time: HTTP 503 Service Unavailable
// Retries that run out are not noted: the final error ends in "; gave up after N attempts" (an
// exception) or the answer carries Response::attempts.
// An HTTP-date Retry-After is measured from the answer's Date header when it has a valid one
// (immune to clock skew), else from the system clock. Not safe to use from two threads at once.
class RetryingTransport : public Transport {
public:
    using Note = RetryNote;
    // Waits that long; the default sleeps the thread.
    using Sleeper = std::function<void(std::chrono::duration<double>)>;
    using Clock = RetryClock;
    using Random = RetryRandom;

    // An empty sleeper, clock or jitter means the real one; an empty note means no notes.
    RetryingTransport(Transport& inner, RetryPolicy policy, Note note = {}, Sleeper sleeper = {}, Clock clock = {},
                      Random jitter = {});

    Response send(const Request& request) override;

    // Attempts the last send made (1 + retries).
    int attempts() const { return attempts_; }

    // True when the last send retried after an attempt whose outcome was unknown (a 502, a 504 or
    // a network error after the request may have been sent).
    bool retried_after_unknown_outcome() const override { return retried_after_unknown_; }

    const RetryPolicy& policy() const { return policy_; }

private:
    Transport& inner_;
    RetryPolicy policy_;
    Note note_;
    Sleeper sleeper_;
    Clock clock_;
    Random jitter_;
    int attempts_ = 0;
    bool retried_after_unknown_ = false;
};

}  // namespace aktoken::http

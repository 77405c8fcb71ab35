// SPDX-License-Identifier: MIT
#include "aktoken/http/retry.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <exception>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "aktoken/http/status.h"
#include "aktoken/util/strings.h"

namespace aktoken::http {

namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

// RFC 9111 1.2.2: a delta-seconds too large to represent becomes 2^31.
constexpr std::int64_t delta_seconds_limit = std::int64_t{1} << 31;

constexpr std::array<std::string_view, 7> short_days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> long_days = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                       "Friday", "Saturday", "Sunday"};

// The three forms of an HTTP-date (RFC 9110 5.6.7) after the day name, for a check before
// curl_getdate(), which reads many more (other zones, parts left out, ISO 8601) that an HTTP-date
// must not be: 'a' stands for a letter, '0' for a digit, '_' for a space or a digit, any other
// character for itself, ignoring case. curl_getdate() then checks the month name and the ranges.
constexpr std::string_view imf_fixdate = ", 00 aaa 0000 00:00:00 GMT";  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr std::string_view rfc850_date = ", 00-aaa-00 00:00:00 GMT";    // Sunday, 06-Nov-94 08:49:37 GMT
constexpr std::string_view asctime_date = " aaa _0 00:00:00 0000";      // Sun Nov  6 08:49:37 1994

template <std::size_t N>
bool is_one_of(std::string_view name, const std::array<std::string_view, N>& names) {
    return std::any_of(names.begin(), names.end(),
                       [&](std::string_view candidate) { return util::iequals(name, candidate); });
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool has_shape(std::string_view text, std::string_view shape) {
    if (text.size() != shape.size()) {
        return false;
    }
    for (std::size_t i = 0; i < shape.size(); ++i) {
        const char c = text[i];
        const bool fits = shape[i] == 'a'   ? is_alpha(c)
                          : shape[i] == '0' ? is_digit(c)
                          : shape[i] == '_' ? c == ' ' || is_digit(c)
                                            : to_lower(c) == to_lower(shape[i]);
        if (!fits) {
            return false;
        }
    }
    return true;
}

// The number in a field of has_shape's digits (a leading space counts as 0).
int number(std::string_view field) {
    int value = 0;
    for (char c : field) {
        value = value * 10 + (is_digit(c) ? c - '0' : 0);
    }
    return value;
}

// "2 s", "1.4 s", "12 s": whole seconds as such, a tenth only where it says something.
std::string wait_text(double seconds) {
    const double tenths = std::round(seconds * 10) / 10;
    if (tenths >= 10 || tenths == std::floor(tenths)) {
        return fmt::format("{:.0f} s", seconds >= 10 ? std::round(seconds) : tenths);
    }
    return fmt::format("{:.1f} s", tenths);
}

void real_sleep(std::chrono::duration<double> delay) {
    if (delay.count() > 0) {
        std::this_thread::sleep_for(delay);
    }
}

std::uint64_t random_seed() {
    try {
        std::random_device device;
        return (std::uint64_t{device()} << 32) ^ device();
    } catch (const std::exception&) {
        return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text, system_clock::time_point now) {
    const std::string_view day_name = text.substr(0, text.find_first_of(", "));
    const std::string_view rest = text.substr(day_name.size());
    std::string date(text);
    std::size_t day_at = 2;
    int year = 0;
    if (is_one_of(day_name, short_days) && has_shape(rest, imf_fixdate)) {
        year = number(rest.substr(9, 4));
    } else if (is_one_of(day_name, long_days) && has_shape(rest, rfc850_date)) {
        // RFC 9110 puts a two-digit year within 50 years of now, curl_getdate() at 1971..2070: give it
        // the year in full, as an IMF-fixdate but for the day name.
        const int current =
            static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)}.year());
        year = current - current % 100 + number(rest.substr(9, 2));
        if (year > current + 50) {
            year -= 100;
        }
        date = fmt::format("{}, {} {} {:04} {}", day_name, rest.substr(2, 2), rest.substr(5, 3), year, rest.substr(12));
    } else if (is_one_of(day_name, short_days) && has_shape(rest, asctime_date)) {
        day_at = 5;
        year = number(rest.substr(17, 4));
    } else {
        return std::nullopt;
    }
    const std::time_t time = curl_getdate(date.c_str(), nullptr);
    if (time == -1) {
        return std::nullopt;
    }
    const std::chrono::sys_seconds result{seconds(time)};
    // curl_getdate() carries a day past the month's end into the next month (Feb 31 is Mar 3) and
    // reads a year below 100 as 19xx or 20xx: the day and year must be the ones written, as of the
    // second before when the second is a leap second (which it carries into the next minute).
    const std::size_t seconds_at = rest.find(':') + 4;
    const std::chrono::year_month_day ymd{
        std::chrono::floor<std::chrono::days>(result - seconds(rest.substr(seconds_at, 2) == "60" ? 1 : 0))};
    if (ymd.year() != std::chrono::year{year} ||
        ymd.day() != std::chrono::day{static_cast<unsigned>(number(rest.substr(day_at, 2)))}) {
        return std::nullopt;
    }
    return result;
}

std::optional<seconds> parse_retry_after(std::string_view value, system_clock::time_point now) {
    value = trim_ows(value);
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(), is_digit)) {
        std::int64_t total = 0;
        for (char c : value) {
            total = total * 10 + (c - '0');
            if (total >= delta_seconds_limit) {
                return seconds(delta_seconds_limit);
            }
        }
        return seconds(total);
    }
    const auto date = parse_http_date(value, now);
    if (!date) {
        return std::nullopt;
    }
    const seconds until = *date - std::chrono::floor<seconds>(now);
    return std::clamp(until, seconds(0), seconds(delta_seconds_limit));
}

bool is_idempotent(const Request& request) {
    const std::string& method = request.method;
    if (method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "PATCH" ||
        method == "DELETE") {
        return true;
    }
    if (method != "POST") {
        return false;
    }
    std::string_view path = request.url;
    path = path.substr(0, path.find_first_of("?#"));
    constexpr std::string_view set_key = "/set_key/";
    return path.ends_with(set_key) || path.ends_with(set_key.substr(0, set_key.size() - 1));
}

Outcome classify_status(long status) {
    switch (status) {
        case 429:
        case 503:
            return Outcome::not_applied;
        case 502:
        case 504:
            return Outcome::unknown;
        default:
            return Outcome::done;
    }
}

Outcome classify_error(const Error& error) {
    if (error.kind() != ErrorKind::network) {
        return Outcome::done;
    }
    if (const auto* transport_error = dynamic_cast<const TransportError*>(&error)) {
        if (!transport_error->transient()) {
            return Outcome::done;
        }
        return transport_error->delivery() == Delivery::not_sent ? Outcome::not_applied : Outcome::unknown;
    }
    return Outcome::unknown;
}

std::chrono::duration<double> retry_delay(int n, const RetryPolicy& policy, double jitter,
                                          std::optional<seconds> retry_after) {
    auto non_negative = [](double v) { return v > 0 ? v : 0.0; };  // NaN too becomes 0
    const int exponent = std::clamp(n, 1, 64) - 1;
    const double backoff =
        std::min(non_negative(policy.max_delay_seconds), std::ldexp(non_negative(policy.base_delay_seconds), exponent));
    const double r = jitter >= 0 ? std::min(jitter, 1.0) : 0.0;
    double delay = backoff * (0.5 + r / 2);
    if (retry_after) {
        const double asked = static_cast<double>(std::max(retry_after->count(), std::int64_t{0}));
        delay = std::max(delay, std::min(asked, non_negative(policy.retry_after_cap_seconds)));
    }
    return std::chrono::duration<double>(delay);
}

RetryClock real_retry_clock() {
    return [] { return std::chrono::steady_clock::now(); };
}

// Seeded at the first retry: std::random_device probes the CPU (cpuid, slow in a VM), a cost
// every run would pay at start-up for retries most runs never make.
RetryRandom real_retry_jitter() {
    return [engine = std::optional<std::mt19937_64>()]() mutable {
        if (!engine) {
            engine.emplace(random_seed());
        }
        return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
    };
}

RetryState::RetryState(const Request& request, const RetryPolicy& policy, const RetryNote& note,
                       const RetryClock& clock, RetryRandom& jitter)
    : method_(request.method),
      idempotent_(is_idempotent(request)),
      policy_(policy),
      note_(note),
      clock_(clock),
      jitter_(jitter),
      start_(clock()) {}

std::optional<std::chrono::duration<double>> RetryState::after_answer(const Response& response) {
    const Outcome outcome = classify_status(response.status);
    if (outcome == Outcome::done) {
        return std::nullopt;
    }
    return decide(outcome, status_line(response.status), &response);
}

std::optional<std::chrono::duration<double>> RetryState::after_error(const Error& error) {
    const Outcome outcome = classify_error(error);
    if (outcome == Outcome::done) {
        return std::nullopt;
    }
    return decide(outcome, error.what(), nullptr);
}

std::optional<std::chrono::duration<double>> RetryState::decide(Outcome outcome, const std::string& cause,
                                                                const Response* response) {
    // Only the refusals go through this one: the retry itself is noted below, always.
    auto note = [&](const std::string& line) {
        if (note_ && policy_.note_refusals) {
            note_(line);
        }
    };
    const int retries = std::max(policy_.retries, 0);
    stopped_ = true;
    if (attempts_ > retries) {
        return std::nullopt;
    }
    if (outcome == Outcome::unknown && !idempotent_) {
        note(fmt::format("aktoken: no retry, a {} may have been applied: {}", method_, cause));
        return std::nullopt;
    }
    std::optional<seconds> retry_after;
    if (response != nullptr) {
        if (const auto header = response->header("retry-after")) {
            system_clock::time_point now = system_clock::now();
            if (const auto date_header = response->header("date")) {
                if (const auto server_now = parse_http_date(trim_ows(*date_header), now)) {
                    now = *server_now;
                }
            }
            retry_after = parse_retry_after(*header, now);
        }
    }
    const std::chrono::duration<double> delay = retry_delay(attempts_, policy_, jitter_(), retry_after);
    if (policy_.max_time_seconds > 0) {
        const double elapsed = std::chrono::duration<double>(clock_() - start_).count();
        const double left = policy_.max_time_seconds - elapsed;
        if (delay.count() > left) {
            note(fmt::format("aktoken: no retry, {:.1f} s wait exceeds the {:.1f} s left of --retry-max-time: {}",
                             delay.count(), std::max(left, 0.0), cause));
            return std::nullopt;
        }
    }
    stopped_ = false;
    // An answer's cause reads as the issue's example: "503 Service Unavailable", not "HTTP 503 ...".
    const std::string_view shown =
        response != nullptr && cause.starts_with("HTTP ") ? std::string_view(cause).substr(5) : std::string_view(cause);
    if (note_) {
        note_(fmt::format("aktoken: retrying in {} ({}), attempt {} of {}", wait_text(delay.count()), shown,
                          attempts_ + 1, retries + 1));
    }
    if (outcome == Outcome::unknown) {
        retried_after_unknown_ = true;
    }
    ++attempts_;
    return delay;
}

std::string RetryState::gave_up_text() const {
    return stopped_ && attempts_ > 1 ? fmt::format("; gave up after {} attempts", attempts_) : std::string();
}

std::exception_ptr RetryState::final_error(const Error& error) const {
    const std::string suffix = gave_up_text();
    if (suffix.empty()) {
        return nullptr;
    }
    Error said(error.kind(), error.what() + suffix, error.status(), error.fields());
    said.set_token(error.token());
    if (const auto* transport_error = dynamic_cast<const TransportError*>(&error)) {
        return std::make_exception_ptr(TransportError(said, transport_error->delivery(), transport_error->transient()));
    }
    return std::make_exception_ptr(said);
}

void RetryState::finish(Response& response) const {
    if (stopped_ && attempts_ > 1) {
        response.attempts = attempts_;
    }
}

RetryingTransport::RetryingTransport(Transport& inner, RetryPolicy policy, Note note, Sleeper sleeper, Clock clock,
                                     Random jitter)
    : inner_(inner),
      policy_(policy),
      note_(std::move(note)),
      sleeper_(sleeper ? std::move(sleeper) : Sleeper(real_sleep)),
      clock_(clock ? std::move(clock) : real_retry_clock()),
      jitter_(jitter ? std::move(jitter) : real_retry_jitter()) {}

Response RetryingTransport::send(const Request& request) {
    RetryState state(request, policy_, note_, clock_, jitter_);
    attempts_ = 1;
    retried_after_unknown_ = false;
    while (true) {
        std::optional<std::chrono::duration<double>> delay;
        try {
            Response response = inner_.send(request);
            delay = state.after_answer(response);
            if (!delay) {
                state.finish(response);
                return response;
            }
        } catch (const Error& error) {
            delay = state.after_error(error);
            if (!delay) {
                if (const std::exception_ptr said = state.final_error(error)) {
                    std::rethrow_exception(said);
                }
                throw;
            }
        }
        attempts_ = state.attempts();
        retried_after_unknown_ = state.retried_after_unknown_outcome();
        sleeper_(*delay);
    }
}

}  // namespace aktoken::http

// SPDX-License-Identifier: MIT
#include "aktoken/http/retry.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
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

constexpr std::array<std::string_view, 7> short_days = {"Mon", "Tue", "Wed", "Thu",
                                                        "Fri", "Sat", "Sun"};
constexpr std::array<std::string_view, 7> long_days = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};


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

// Reads an HTTP-date left to right; every read checks the bounds.
class Cursor {
public:
    explicit Cursor(std::string_view text) : text_(text) {}

    bool at_end() const { return pos_ == text_.size(); }

    bool literal(std::string_view expected) {
        if (text_.size() - pos_ < expected.size() ||
            !util::iequals(text_.substr(pos_, expected.size()), expected)) {
            return false;
        }
        pos_ += expected.size();
        return true;
    }

    // Exactly n digits.
    bool digits(std::size_t n, int& out) {
        if (text_.size() - pos_ < n) {
            return false;
        }
        int value = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const char c = text_[pos_ + k];
            if (!is_digit(c)) {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        pos_ += n;
        out = value;
        return true;
    }

    std::string_view word() {
        const std::size_t begin = pos_;
        while (pos_ < text_.size() && is_alpha(text_[pos_])) {
            ++pos_;
        }
        return text_.substr(begin, pos_ - begin);
    }

    // A month name, as 1..12.
    bool month(unsigned& out) {
        const std::string_view name = word();
        for (std::size_t i = 0; i < months.size(); ++i) {
            if (util::iequals(name, months[i])) {
                out = static_cast<unsigned>(i + 1);
                return true;
            }
        }
        return false;
    }

    // HH:MM:SS, a leap second allowed.
    bool time_of_day(seconds& out) {
        int h = 0;
        int m = 0;
        int s = 0;
        if (!digits(2, h) || !literal(":") || !digits(2, m) || !literal(":") || !digits(2, s) ||
            h > 23 || m > 59 || s > 60) {
            return false;
        }
        out = std::chrono::hours(h) + std::chrono::minutes(m) + seconds(s);
        return true;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

std::optional<std::chrono::sys_seconds> make_time(int year, unsigned month, int day,
                                                  seconds time_of_day) {
    const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok()) {
        return std::nullopt;
    }
    return std::chrono::sys_days{ymd} + time_of_day;
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

std::optional<int> parse_retries(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    int value = 0;
    for (char c : text) {
        if (!is_digit(c)) {
            return std::nullopt;
        }
        value = value * 10 + (c - '0');
        if (value > max_retries) {
            return std::nullopt;
        }
    }
    return value;
}

std::optional<double> parse_retry_max_time(std::string_view text) {
    constexpr double limit = 86400;
    double whole = 0;
    double fraction = 0;
    double scale = 0.1;
    bool seen_digit = false;
    bool seen_point = false;
    for (char c : text) {
        if (c == '.' && !seen_point) {
            seen_point = true;
        } else if (is_digit(c)) {
            seen_digit = true;
            if (seen_point) {
                fraction += (c - '0') * scale;
                scale /= 10;
            } else {
                whole = whole * 10 + (c - '0');
                if (whole > limit) {
                    return std::nullopt;
                }
            }
        } else {
            return std::nullopt;
        }
    }
    const double value = whole + fraction;
    if (!seen_digit || value > limit) {
        return std::nullopt;
    }
    return value;
}

std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text,
                                                         system_clock::time_point now) {
    Cursor in(text);
    const std::string_view day_name = in.word();
    unsigned month = 0;
    int day = 0;
    int year = 0;
    seconds time{};
    if (in.literal(",")) {
        if (!in.literal(" ")) {
            return std::nullopt;
        }
        if (is_one_of(day_name, short_days)) {
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            if (!in.digits(2, day) || !in.literal(" ") || !in.month(month) || !in.literal(" ") ||
                !in.digits(4, year) || !in.literal(" ") || !in.time_of_day(time) ||
                !in.literal(" GMT") || !in.at_end()) {
                return std::nullopt;
            }
        } else if (is_one_of(day_name, long_days)) {
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            int two_digits = 0;
            if (!in.digits(2, day) || !in.literal("-") || !in.month(month) || !in.literal("-") ||
                !in.digits(2, two_digits) || !in.literal(" ") || !in.time_of_day(time) ||
                !in.literal(" GMT") || !in.at_end()) {
                return std::nullopt;
            }
            const int current =
                static_cast<int>(std::chrono::year_month_day{std::chrono::floor<std::chrono::days>(now)}
                                     .year());
            year = current - current % 100 + two_digits;
            if (year > current + 50) {
                year -= 100;
            }
        } else {
            return std::nullopt;
        }
    } else {
        // asctime: Sun Nov  6 08:49:37 1994
        if (!is_one_of(day_name, short_days) || !in.literal(" ") || !in.month(month) ||
            !in.literal(" ")) {
            return std::nullopt;
        }
        if (in.literal(" ")) {
            if (!in.digits(1, day)) {
                return std::nullopt;
            }
        } else if (!in.digits(2, day)) {
            return std::nullopt;
        }
        if (!in.literal(" ") || !in.time_of_day(time) || !in.literal(" ") || !in.digits(4, year) ||
            !in.at_end()) {
            return std::nullopt;
        }
    }
    return make_time(year, month, day, time);
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
    if (method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" ||
        method == "PATCH" || method == "DELETE") {
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
        return transport_error->delivery() == Delivery::not_sent ? Outcome::not_applied
                                                                 : Outcome::unknown;
    }
    return Outcome::unknown;
}

std::chrono::duration<double> retry_delay(int n, const RetryPolicy& policy, double jitter,
                                          std::optional<seconds> retry_after) {
    auto non_negative = [](double v) { return v > 0 ? v : 0.0; };  // NaN too becomes 0
    const int exponent = std::clamp(n, 1, 64) - 1;
    const double backoff = std::min(non_negative(policy.max_delay_seconds),
                                    std::ldexp(non_negative(policy.base_delay_seconds), exponent));
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
    auto note = [&](const std::string& line) {
        if (note_) {
            note_(line);
        }
    };
    const int retries = std::max(policy_.retries, 0);
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
    note(fmt::format("aktoken: retry {}/{} after {:.1f} s: {}", attempts_, retries, delay.count(), cause));
    if (outcome == Outcome::unknown) {
        retried_after_unknown_ = true;
    }
    ++attempts_;
    return delay;
}

RetryingTransport::RetryingTransport(Transport& inner, RetryPolicy policy, Note note,
                                     Sleeper sleeper, Clock clock, Random jitter)
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
                return response;
            }
        } catch (const Error& error) {
            delay = state.after_error(error);
            if (!delay) {
                throw;
            }
        }
        attempts_ = state.attempts();
        retried_after_unknown_ = state.retried_after_unknown_outcome();
        sleeper_(*delay);
    }
}

}  // namespace aktoken::http

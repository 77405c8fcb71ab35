// SPDX-License-Identifier: MIT
#include "aktoken/http/curl_multi.h"

#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "aktoken/http/curl_hub.h"
#include "aktoken/util/error.h"
#include "aktoken/util/secret.h"
#include "http/curl_transfer.h"

namespace aktoken::http {
namespace {

using Clock = std::chrono::steady_clock;

// One request from the moment it is admitted until its answer is handed over.
struct Slot {
    Request request;
    std::optional<RetryState> retry;
    Clock::time_point ready;  // when the next attempt may start
    bool waiting = true;      // admitted or backing off, not on a handle
    bool done = false;
    std::optional<Response> response;
    std::exception_ptr failure;
};

// An easy handle and the Transfer that drives it; `index` is the request it carries, if any.
struct Lane {
    CURL* handle = nullptr;
    std::unique_ptr<Transfer> transfer;
    std::optional<std::size_t> index;
};

// Headers may carry the token: they are wiped once the request is over.
void wipe_headers(Request& request) {
    for (auto& header : request.headers) {
        util::wipe(header.second);
    }
    util::wipe(request.body);
}

}  // namespace

struct CurlMulti::Impl {
    TransportOptions options;
    RetryPolicy policy;
    int parallel;
    RetryNote note;
    RetryClock clock;
    RetryRandom jitter;
    std::string user_agent;
    std::vector<Lane> lanes;
    long connections = 0;

    // The multi handle the transfers run on: the run's (options.hub), else one of its own.
    std::shared_ptr<CurlHub> hub;
    // Transfers the hub has finished, handed over from its thread.
    std::mutex mutex;
    std::condition_variable finished_changed;
    std::vector<std::pair<CURL*, CURLcode>> finished;

    void open() {
        if (hub) {
            return;
        }
        user_agent = user_agent_for(options);
        hub = options.hub ? options.hub : std::make_shared<CurlHub>(static_cast<long>(parallel));
        lanes.resize(static_cast<std::size_t>(parallel));
        for (Lane& lane : lanes) {
            lane.handle = curl_easy_init();
            if (lane.handle == nullptr) {
                throw Error(ErrorKind::internal, "cannot initialise libcurl");
            }
            lane.transfer = std::make_unique<Transfer>(lane.handle, options, user_agent);
        }
    }

    // Takes every transfer off the hub (an unfinished one is abandoned).
    void release_all(std::map<std::size_t, Slot>& slots) {
        for (Lane& lane : lanes) {
            if (lane.index) {
                hub->abandon(lane.handle);
                wipe_headers(slots[*lane.index].request);
                lane.index.reset();
            }
        }
        std::lock_guard<std::mutex> lock(mutex);
        finished.clear();
    }

    // Starts the waiting requests whose time has come on free lanes, lowest index first.
    void start_ready(std::map<std::size_t, Slot>& slots) {
        const Clock::time_point now = clock();
        for (auto& [index, slot] : slots) {
            if (!slot.waiting || slot.ready > now) {
                continue;
            }
            auto lane = std::find_if(lanes.begin(), lanes.end(), [](const Lane& l) { return !l.index; });
            if (lane == lanes.end()) {
                return;
            }
            try {
                lane->transfer->prepare(slot.request);
                CURL* handle = lane->handle;
                hub->start(handle, [this, handle](int rc) {
                    std::lock_guard<std::mutex> lock(mutex);
                    finished.emplace_back(handle, static_cast<CURLcode>(rc));
                    finished_changed.notify_one();
                });
            } catch (...) {
                slot.waiting = false;
                slot.done = true;
                slot.failure = std::current_exception();
                wipe_headers(slot.request);
                continue;
            }
            slot.waiting = false;
            lane->index = index;
        }
    }

    // Turns the transfers libcurl reports finished into answers, failures or retries.
    void collect(std::map<std::size_t, Slot>& slots) {
        std::vector<std::pair<CURL*, CURLcode>> done;
        {
            std::lock_guard<std::mutex> lock(mutex);
            done.swap(finished);
        }
        for (const auto& [handle, rc] : done) {
            auto lane = std::find_if(lanes.begin(), lanes.end(),
                                     [handle = handle](const Lane& l) { return l.handle == handle && l.index; });
            if (lane == lanes.end()) {
                continue;
            }
            Slot& slot = slots[*lane->index];
            lane->index.reset();
            std::optional<std::chrono::duration<double>> delay;
            try {
                Response response = lane->transfer->finish(rc);
                delay = slot.retry->after_answer(response);
                if (!delay) {
                    slot.retry->finish(response);
                    slot.response = std::move(response);
                }
            } catch (const Error& error) {
                delay = slot.retry->after_error(error);
                if (!delay) {
                    const std::exception_ptr said = slot.retry->final_error(error);
                    slot.failure = said ? said : std::current_exception();
                }
            } catch (...) {
                slot.failure = std::current_exception();
            }
            connections += lane->transfer->connections_opened();
            if (delay) {
                slot.waiting = true;
                slot.ready = clock() + std::chrono::duration_cast<Clock::duration>(*delay);
            } else {
                slot.done = true;
                wipe_headers(slot.request);
            }
        }
    }

    // How long to wait for a transfer to finish: until the earliest backoff ends when a lane is free
    // to start it, at most a second.
    int wait_timeout_ms(const std::map<std::size_t, Slot>& slots) const {
        std::chrono::milliseconds timeout(1000);
        if (std::none_of(lanes.begin(), lanes.end(), [](const Lane& l) { return !l.index; })) {
            return static_cast<int>(timeout.count());
        }
        const Clock::time_point now = clock();
        for (const auto& [index, slot] : slots) {
            if (slot.waiting) {
                const auto left = std::chrono::ceil<std::chrono::milliseconds>(slot.ready - now);
                timeout = std::clamp(left, std::chrono::milliseconds(0), timeout);
            }
        }
        return static_cast<int>(timeout.count());
    }
};

CurlMulti::CurlMulti(TransportOptions options, RetryPolicy policy, int parallel, RetryNote note, RetryClock clock,
                     RetryRandom jitter)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->policy = policy;
    impl_->parallel = std::max(parallel, 1);
    impl_->note = std::move(note);
    impl_->clock = clock ? std::move(clock) : real_retry_clock();
    impl_->jitter = jitter ? std::move(jitter) : real_retry_jitter();
}

CurlMulti::~CurlMulti() {
    for (Lane& lane : impl_->lanes) {
        if (lane.index) {
            impl_->hub->abandon(lane.handle);
        }
        lane.transfer.reset();
        if (lane.handle != nullptr) {
            curl_easy_cleanup(lane.handle);
        }
    }
}

long CurlMulti::connections_opened() const { return impl_->connections; }

void CurlMulti::send_in_order(std::size_t count, const std::function<Request(std::size_t)>& request_for,
                              const std::function<bool(std::size_t, Response&)>& on_answer) {
    Impl& impl = *impl_;
    impl.open();
    const std::size_t window = static_cast<std::size_t>(impl.parallel) * 2;
    std::map<std::size_t, Slot> slots;
    std::size_t admitted = 0;
    std::size_t delivered = 0;
    try {
        while (delivered < count) {
            auto next = slots.find(delivered);
            if (next != slots.end() && next->second.done) {
                Slot slot = std::move(next->second);
                slots.erase(next);
                if (slot.failure) {
                    std::rethrow_exception(slot.failure);
                }
                if (!on_answer(delivered++, *slot.response)) {
                    break;
                }
                continue;
            }
            while (admitted < count && admitted < delivered + window) {
                Slot& slot = slots[admitted];
                slot.request = request_for(admitted);
                slot.retry.emplace(slot.request, impl.policy, impl.note, impl.clock, impl.jitter);
                slot.ready = impl.clock();
                ++admitted;
            }
            impl.start_ready(slots);
            impl.collect(slots);
            next = slots.find(delivered);
            if (next == slots.end() || !next->second.done) {
                std::unique_lock<std::mutex> lock(impl.mutex);
                impl.finished_changed.wait_for(lock, std::chrono::milliseconds(impl.wait_timeout_ms(slots)),
                                               [&] { return !impl.finished.empty(); });
            }
        }
    } catch (...) {
        impl.release_all(slots);
        throw;
    }
    impl.release_all(slots);
}

}  // namespace aktoken::http

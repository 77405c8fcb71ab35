// SPDX-License-Identifier: MIT
#include "aktoken/http/curl_hub.h"

#include <curl/curl.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "aktoken/util/error.h"

namespace aktoken::http {

struct CurlHub::Impl {
    CURLM* multi = nullptr;
    std::thread thread;
    std::mutex mutex;
    std::condition_variable changed;
    bool stopping = false;
    // Handed over by other threads, taken by the hub's thread.
    std::vector<std::pair<CURL*, std::function<void(int)>>> to_start;
    std::vector<CURL*> to_abandon;
    // Abandon requests asked for and carried out, so that abandon() knows when its turn is done.
    unsigned long abandons_asked = 0;
    unsigned long abandons_done = 0;
    // Only the hub's thread touches these.
    std::map<CURL*, std::function<void(int)>> running;

    void loop() {
        while (true) {
            std::vector<std::pair<CURL*, std::function<void(int)>>> starting;
            {
                std::unique_lock<std::mutex> lock(mutex);
                if (stopping) {
                    break;
                }
                starting.swap(to_start);
                for (CURL* handle : to_abandon) {
                    if (running.erase(handle) > 0) {
                        curl_multi_remove_handle(multi, handle);
                    }
                }
                to_abandon.clear();
                if (abandons_done != abandons_asked) {
                    abandons_done = abandons_asked;
                    changed.notify_all();
                }
            }
            for (auto& [handle, done] : starting) {
                const CURLMcode rc = curl_multi_add_handle(multi, handle);
                if (rc != CURLM_OK) {
                    done(static_cast<int>(CURLE_FAILED_INIT));
                    continue;
                }
                running.emplace(handle, std::move(done));
            }
            int still_running = 0;
            curl_multi_perform(multi, &still_running);
            int queued = 0;
            while (CURLMsg* message = curl_multi_info_read(multi, &queued)) {
                if (message->msg != CURLMSG_DONE) {
                    continue;
                }
                CURL* handle = message->easy_handle;
                const CURLcode result = message->data.result;
                curl_multi_remove_handle(multi, handle);
                auto node = running.extract(handle);
                if (!node.empty()) {
                    node.mapped()(static_cast<int>(result));
                }
            }
            // Woken early by curl_multi_wakeup when a handle is handed over or taken off.
            curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
        }
        for (auto& [handle, done] : running) {
            curl_multi_remove_handle(multi, handle);
        }
        running.clear();
    }

    void ensure_started() {
        if (!thread.joinable()) {
            thread = std::thread([this] { loop(); });
        }
    }
};

CurlHub::CurlHub(long max_connections) : impl_(std::make_unique<Impl>()) {
    impl_->multi = curl_multi_init();
    if (impl_->multi == nullptr) {
        throw Error(ErrorKind::internal, "cannot initialise libcurl");
    }
    if (max_connections > 0) {
        curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, max_connections);
    }
}

CurlHub::~CurlHub() {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->stopping = true;
    }
    curl_multi_wakeup(impl_->multi);
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
    curl_multi_cleanup(impl_->multi);
}

void CurlHub::start(void* handle, std::function<void(int)> done) {
    {
        std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->ensure_started();
        impl_->to_start.emplace_back(static_cast<CURL*>(handle), std::move(done));
    }
    curl_multi_wakeup(impl_->multi);
}

int CurlHub::perform(void* handle) {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    int result = 0;
    start(handle, [&](int rc) {
        std::lock_guard<std::mutex> lock(mutex);
        result = rc;
        done = true;
        finished.notify_one();
    });
    std::unique_lock<std::mutex> lock(mutex);
    finished.wait(lock, [&] { return done; });
    return result;
}

void CurlHub::abandon(void* handle) {
    std::unique_lock<std::mutex> lock(impl_->mutex);
    // Not handed over yet: it never starts.
    auto& queue = impl_->to_start;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
        if (it->first == handle) {
            queue.erase(it);
            return;
        }
    }
    if (!impl_->thread.joinable()) {
        return;
    }
    impl_->to_abandon.push_back(static_cast<CURL*>(handle));
    const unsigned long ticket = ++impl_->abandons_asked;
    curl_multi_wakeup(impl_->multi);
    impl_->changed.wait(lock, [&] { return impl_->abandons_done >= ticket || impl_->stopping; });
}

}  // namespace aktoken::http

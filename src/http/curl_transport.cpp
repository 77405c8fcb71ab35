// SPDX-License-Identifier: MIT
#include "aktoken/http/curl_transport.h"

#include <curl/curl.h>

#include <csignal>
#include <utility>

#include "aktoken/http/curl_hub.h"
#include "aktoken/util/error.h"
#include "http/curl_transfer.h"

namespace aktoken::http {

struct CurlTransport::Impl {
    TransportOptions options;
    std::string user_agent;
    CURL* handle = nullptr;
    std::unique_ptr<Transfer> transfer;
    long connections = 0;
};

CurlTransport::CurlTransport(TransportOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->user_agent = user_agent_for(impl_->options);
    impl_->handle = curl_easy_init();
    if (impl_->handle == nullptr) {
        throw Error(ErrorKind::internal, "cannot initialise libcurl");
    }
    impl_->transfer = std::make_unique<Transfer>(impl_->handle, impl_->options, impl_->user_agent);
}

CurlTransport::~CurlTransport() {
    if (impl_ && impl_->handle != nullptr) {
        impl_->transfer.reset();
        curl_easy_cleanup(impl_->handle);
    }
}

long CurlTransport::connections_opened() const { return impl_->connections; }

Response CurlTransport::send(const Request& request) {
    Transfer& transfer = *impl_->transfer;
    transfer.prepare(request);
    const CURLcode rc = impl_->options.hub ? static_cast<CURLcode>(impl_->options.hub->perform(impl_->handle))
                                           : curl_easy_perform(impl_->handle);
    try {
        Response response = transfer.finish(rc);
        impl_->connections += transfer.connections_opened();
        return response;
    } catch (...) {
        impl_->connections += transfer.connections_opened();
        throw;
    }
}

GlobalInit::GlobalInit() {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        throw Error(ErrorKind::internal, "cannot initialise libcurl");
    }
    // CURLOPT_NOSIGNAL stops libcurl from ignoring SIGPIPE itself; a peer closing the socket
    // must give EPIPE, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);
}

GlobalInit::~GlobalInit() { curl_global_cleanup(); }

}  // namespace aktoken::http

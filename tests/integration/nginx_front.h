// SPDX-License-Identifier: MIT
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "integration/harness.h"

// A TLS + HTTP/2 front for aktoken-sandbox made of real parts: Debian's nginx, with a throwaway
// CA and server certificates that openssl makes at start-up, proxying to the sandbox over HTTP/1.1
// keep-alive, as authentik is reached in practice.
namespace harness {

// One server block of the front: its own port, certificate, upstream and access log.
struct Site {
    std::string name;
    int upstream_port = 0;
    // The certificate's names: "127.0.0.1 localhost" (the default) or "localhost" alone.
    bool localhost_only = false;
    // nginx's proxy_read_timeout for this site (nginx syntax: 60s, 300ms).
    std::string read_timeout = "60s";
};

// One line of a site's access log.
struct Access {
    long connection = 0;           // $connection: the client connection's serial number
    long connection_requests = 0;  // $connection_requests: the request's number on that connection
    std::string protocol;          // $server_protocol: HTTP/2.0, HTTP/1.1
    std::string tls;               // $ssl_protocol: TLSv1.3
    bool session_reused = false;   // $ssl_session_reused: an abbreviated (resumed) handshake
    int status = 0;
    std::string request;  // METHOD URI
};

// The number of distinct connections, that is TLS handshakes, among the lines.
std::size_t connections_of(const std::vector<Access>& lines);

// nginx on 127.0.0.1 in front of the given upstreams, on ports free at start, with a private
// prefix, configuration, logs and temporary files in a scratch directory; started and stopped by
// PID (not daemonised), running as the current user.
class NginxFront {
public:
    // Why nginx or openssl cannot run on this machine (not installed), or nothing.
    static std::optional<std::string> unavailable();
    // The nginx binary's version line ("nginx/1.22.1").
    static std::string version();

    explicit NginxFront(std::vector<Site> sites);
    ~NginxFront();
    NginxFront(const NginxFront&) = delete;
    NginxFront& operator=(const NginxFront&) = delete;

    // https://127.0.0.1:PORT of a site.
    std::string url(const std::string& site) const;
    // The throwaway CA's certificate (PEM), for --ca-file and curl --cacert.
    std::string ca_file() const;
    // The access log lines written since the last take, once there are at least `at_least` of
    // them (waits up to 10 s: nginx writes a line once the answer is sent, which may come a
    // moment after the client has it).
    std::vector<Access> take_log(const std::string& site, std::size_t at_least = 0);
    // Rewrites the configuration with `directives` added to the http block, reloads nginx
    // (SIGHUP) and waits until the old worker has exited: it closes its idle connections at once,
    // as nginx does after keepalive_timeout.
    void reload(const std::string& directives);

private:
    void write_config(const std::string& directives) const;
    std::size_t exited_workers() const;

    TempDir dir_;
    std::vector<Site> sites_;
    std::map<std::string, int> ports_;
    std::map<std::string, std::size_t> taken_;
    std::unique_ptr<Background> process_;
};

}  // namespace harness

// SPDX-License-Identifier: MIT
#include "integration/nginx_front.h"

#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "fmt/format.h"

namespace harness {
namespace {

// Where Debian puts nginx (sbin is not on every user's PATH), then PATH.
std::optional<std::string> find_program(const std::string& name) {
    std::vector<std::string> dirs = {"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"};
    if (const char* path = std::getenv("PATH")) {
        std::stringstream stream(path);
        for (std::string dir; std::getline(stream, dir, ':');) {
            if (!dir.empty()) {
                dirs.push_back(dir);
            }
        }
    }
    for (const std::string& dir : dirs) {
        std::string candidate = dir;
        candidate += "/";
        candidate += name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

// `count` distinct ports nothing listens on right now (bound to port 0 together, then released).
// nginx then binds them; if another program takes one first, nginx fails to start and the front
// tries other ports.
std::vector<int> free_ports(std::size_t count) {
    std::vector<int> fds;
    std::vector<int> ports;
    for (std::size_t i = 0; i < count; ++i) {
        const auto [fd, port] = bind_loopback_port();
        fds.push_back(fd);
        ports.push_back(port);
    }
    for (int fd : fds) {
        ::close(fd);
    }
    return ports;
}

bool accepts_connections(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool connected = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    if (fd >= 0) {
        ::close(fd);
    }
    return connected;
}

void openssl(const std::vector<std::string>& args, const std::string& dir) {
    static const std::string program = find_program("openssl").value_or("/usr/bin/openssl");
    RunResult r = run_program(program, args, {{"HOME", dir}, {"RANDFILE", dir + "/.rnd"}});
    if (r.exit_code != 0) {
        throw std::runtime_error("openssl " + args.front() + " failed: " + r.err);
    }
}

// Makes a server certificate for `names` (openssl's subjectAltName syntax), signed by the CA.
void make_server_certificate(const std::string& dir, const std::string& name, const std::string& common_name,
                             const std::string& alt_names) {
    const std::string base = dir + "/" + name;
    {
        std::ofstream extensions(base + ".ext");
        extensions << "basicConstraints=critical,CA:FALSE\n"
                      "keyUsage=critical,digitalSignature\n"
                      "extendedKeyUsage=serverAuth\n"
                      "subjectAltName="
                   << alt_names << "\n";
    }
    openssl({"req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             base + ".key", "-out", base + ".csr", "-subj", "/CN=" + common_name},
            dir);
    openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/ca.crt", "-CAkey", dir + "/ca.key", "-set_serial",
             name == "both" ? "1001" : "1002", "-days", "2", "-out", base + ".crt", "-extfile", base + ".ext"},
            dir);
}

Access parse_access(const std::string& line) {
    std::istringstream stream(line);
    Access access;
    std::string reused;
    std::string method;
    std::string uri;
    stream >> access.connection >> access.connection_requests >> access.protocol >> access.tls >> reused >>
        access.status >> method >> uri;
    if (!stream) {
        throw std::runtime_error("unexpected access log line: " + line);
    }
    access.session_reused = reused == "r";
    access.request = method + " " + uri;
    return access;
}

}  // namespace

std::size_t connections_of(const std::vector<Access>& lines) {
    std::set<long> connections;
    for (const Access& line : lines) {
        connections.insert(line.connection);
    }
    return connections.size();
}

std::optional<std::string> NginxFront::unavailable() {
    if (!find_program("nginx")) {
        return "nginx is not installed (Debian package nginx-light; scripts/setup.sh installs it)";
    }
    if (!find_program("openssl")) {
        return "openssl is not installed (Debian package openssl; scripts/setup.sh installs it)";
    }
    return std::nullopt;
}

std::string NginxFront::version() {
    RunResult r = run_program(*find_program("nginx"), {"-v"}, {});
    // "nginx version: nginx/1.22.1" on stderr.
    const std::string marker = "nginx version: ";
    const auto at = r.err.find(marker);
    if (at == std::string::npos) {
        throw std::runtime_error("nginx -v said: " + r.err);
    }
    const std::string rest = r.err.substr(at + marker.size());
    return rest.substr(0, rest.find('\n'));
}

NginxFront::NginxFront(std::vector<Site> sites) : sites_(std::move(sites)) {
    const std::string& dir = dir_.path();
    std::filesystem::create_directories(dir + "/tmp");
    std::filesystem::create_directories(dir + "/logs");
    openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             dir + "/ca.key", "-out", dir + "/ca.crt", "-days", "2", "-subj", "/CN=aktoken test CA", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"},
            dir);
    make_server_certificate(dir, "both", "127.0.0.1", "IP:127.0.0.1,DNS:localhost");
    make_server_certificate(dir, "localhost", "localhost", "DNS:localhost");

    const std::string program = *find_program("nginx");
    std::string failure;
    for (int attempt = 0; attempt < 5; ++attempt) {
        const std::vector<int> ports = free_ports(sites_.size());
        for (std::size_t i = 0; i < sites_.size(); ++i) {
            ports_[sites_[i].name] = ports[i];
        }
        write_config("");
        process_ = std::make_unique<Background>(
            program, std::vector<std::string>{"-p", dir + "/", "-c", dir + "/nginx.conf", "-e", dir + "/error.log"},
            Env{});
        const bool up = eventually(
            [&] {
                if (process_->finished()) {
                    return true;
                }
                for (const auto& [name, port] : ports_) {
                    if (!accepts_connections(port)) {
                        return false;
                    }
                }
                return true;
            },
            20);
        if (up && !process_->finished()) {
            return;
        }
        failure = read_file(dir + "/error.log");
        process_.reset();
        // A port taken meanwhile: try others. Anything else will not go away.
        if (failure.find("Address already in use") == std::string::npos) {
            break;
        }
    }
    throw std::runtime_error("nginx did not start: " + failure);
}

NginxFront::~NginxFront() {
    if (process_) {
        // SIGTERM, not SIGKILL: the master then stops its workers, which SIGKILL would orphan.
        process_->kill(SIGTERM);
        process_->wait();
    }
}

void NginxFront::write_config(const std::string& directives) const {
    const std::string& dir = dir_.path();
    std::string config;
    // As root, nginx runs its workers as `nobody` unless told otherwise, and nobody cannot read
    // the scratch directory (0700); as anyone else the user directive is ignored with a warning.
    if (::geteuid() == 0) {
        const passwd* user = ::getpwuid(::geteuid());
        const group* group = ::getgrgid(::getegid());
        config += fmt::format("user {} {};\n", user != nullptr ? user->pw_name : "root",
                              group != nullptr ? group->gr_name : "root");
    }
    config += fmt::format(
        "worker_processes 1;\n"
        "daemon off;\n"
        "pid {0}/nginx.pid;\n"
        "error_log {0}/error.log notice;\n"
        "events {{ worker_connections 1024; }}\n"
        "http {{\n"
        "  access_log off;\n"
        "  client_body_temp_path {0}/tmp/body;\n"
        "  proxy_temp_path {0}/tmp/proxy;\n"
        "  fastcgi_temp_path {0}/tmp/fastcgi;\n"
        "  uwsgi_temp_path {0}/tmp/uwsgi;\n"
        "  scgi_temp_path {0}/tmp/scgi;\n"
        "  log_format front '$connection $connection_requests $server_protocol $ssl_protocol "
        "$ssl_session_reused $status $request_method $request_uri';\n"
        "  ssl_protocols TLSv1.2 TLSv1.3;\n"
        // Closing a connection, nginx otherwise waits up to 5 s (lingering_timeout) for the
        // client to close its side, and so would a reload (NginxFront::reload) for an idle client.
        "  lingering_close off;\n"
        "{1}",
        dir, directives.empty() ? "" : "  " + directives + "\n");
    for (const Site& site : sites_) {
        const std::string certificate = site.localhost_only ? "localhost" : "both";
        config += fmt::format(
            "  upstream {0} {{ server 127.0.0.1:{1}; keepalive 16; }}\n"
            "  server {{\n"
            "    listen 127.0.0.1:{2} ssl http2;\n"
            "    ssl_certificate {3}/{4}.crt;\n"
            "    ssl_certificate_key {3}/{4}.key;\n"
            "    access_log {3}/logs/{0}.log front;\n"
            "    location / {{\n"
            "      proxy_pass http://{0};\n"
            "      proxy_http_version 1.1;\n"
            "      proxy_set_header Connection \"\";\n"
            "      proxy_read_timeout {5};\n"
            "    }}\n"
            "  }}\n",
            site.name, site.upstream_port, ports_.at(site.name), dir, certificate, site.read_timeout);
    }
    config += "}\n";
    std::ofstream(dir + "/nginx.conf", std::ios::trunc) << config;
}

std::string NginxFront::url(const std::string& site) const {
    return "https://127.0.0.1:" + std::to_string(ports_.at(site));
}

std::string NginxFront::ca_file() const { return dir_.path() + "/ca.crt"; }

std::vector<Access> NginxFront::take_log(const std::string& site, std::size_t at_least) {
    const std::string path = dir_.path() + "/logs/" + site + ".log";
    std::vector<std::string> lines;
    const auto read_new = [&] {
        lines.clear();
        std::istringstream stream(read_file(path));
        std::size_t index = 0;
        for (std::string line; std::getline(stream, line); ++index) {
            if (index >= taken_[site]) {
                lines.push_back(line);
            }
        }
        return lines.size() >= at_least;
    };
    if (!eventually(read_new, 10)) {
        throw std::runtime_error(fmt::format("{}'s access log has {} new lines, not {}", site, lines.size(), at_least));
    }
    taken_[site] += lines.size();
    std::vector<Access> result;
    result.reserve(lines.size());
    for (const std::string& line : lines) {
        result.push_back(parse_access(line));
    }
    return result;
}

std::size_t NginxFront::exited_workers() const {
    const std::string log = read_file(dir_.path() + "/error.log");
    std::size_t count = 0;
    for (auto at = log.find("exited with code"); at != std::string::npos; at = log.find("exited with code", at + 1)) {
        ++count;
    }
    return count;
}

void NginxFront::reload(const std::string& directives) {
    const std::size_t before = exited_workers();
    write_config(directives);
    process_->kill(SIGHUP);
    if (!eventually([&] { return exited_workers() > before; }, 20)) {
        throw std::runtime_error("nginx did not reload: " + read_file(dir_.path() + "/error.log"));
    }
}

}  // namespace harness

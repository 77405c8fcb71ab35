// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "aktoken/util/error.h"
#include "aktoken/util/files.h"
#include "unit/error_of.h"
#include "unit/temp_dir.h"

using namespace aktoken::util;
using aktoken::Error;
using aktoken::ErrorKind;

namespace {

using test::TempDir;

void write_plain(const std::string& path, const std::string& content, mode_t mode) {
    std::ofstream(path) << content;
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

mode_t mode_of(const std::string& path) {
    struct stat info {};
    REQUIRE(::lstat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

std::set<std::string> entries(const std::string& directory) {
    std::set<std::string> names;
    DIR* dir = ::opendir(directory.c_str());
    REQUIRE(dir != nullptr);
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name != "." && name != "..") {
            names.insert(name);
        }
    }
    ::closedir(dir);
    return names;
}

// Sets the umask for one scope.
class Umask {
public:
    explicit Umask(mode_t mask) : old_(::umask(mask)) {}
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;
    ~Umask() { ::umask(old_); }

private:
    mode_t old_;
};

}  // namespace

TEST_SUITE("unit") {
    TEST_CASE("write_file_atomic sets exactly the requested mode whatever the umask") {
        TempDir dir;
        struct Case {
            mode_t umask;
            mode_t mode;
        };
        for (const Case c : {Case{022, 0600}, Case{077, 0600}, Case{0, 0600}, Case{077, 0644}, Case{027, 0640}}) {
            CAPTURE(c.umask);
            CAPTURE(c.mode);
            const std::string path = dir / "key";
            Umask scope(c.umask);
            write_file_atomic(path, "content\n", c.mode);
            CHECK(mode_of(path) == c.mode);
            CHECK(slurp(path) == "content\n");
            CHECK(entries(dir.path()) == std::set<std::string>{"key"});
        }
    }

    TEST_CASE("write_file_atomic replaces an existing file and its mode") {
        TempDir dir;
        const std::string path = dir / "metrics.prom";
        write_plain(path, "old content that is longer\n", 0644);
        write_file_atomic(path, "new\n");
        CHECK(slurp(path) == "new\n");
        CHECK(mode_of(path) == 0600);
        write_file_atomic(path, "");
        CHECK(slurp(path) == "");
        CHECK(entries(dir.path()) == std::set<std::string>{"metrics.prom"});
    }

    TEST_CASE("write_file_atomic works with a path without a directory") {
        TempDir dir;
        char old_cwd[4096];
        REQUIRE(::getcwd(old_cwd, sizeof old_cwd) != nullptr);
        REQUIRE(::chdir(dir.path().c_str()) == 0);
        write_file_atomic("plain", "x");
        REQUIRE(::chdir(old_cwd) == 0);
        CHECK(slurp(dir / "plain") == "x");
        CHECK(entries(dir.path()) == std::set<std::string>{"plain"});
    }

    TEST_CASE("write_file_atomic refuses a symbolic link and leaves its target alone") {
        TempDir dir;
        const std::string target = dir / "target";
        const std::string link = dir / "link";
        write_plain(target, "target\n", 0600);
        REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
        CHECK(error_of([&] { write_file_atomic(link, "evil"); }) ==
              "refusing to write " + link + ": it is a symbolic link");
        CHECK(slurp(target) == "target\n");
        CHECK(entries(dir.path()) == std::set<std::string>{"link", "target"});

        const std::string dangling = dir / "dangling";
        REQUIRE(::symlink((dir / "nowhere").c_str(), dangling.c_str()) == 0);
        CHECK(error_of([&] { write_file_atomic(dangling, "evil"); }) ==
              "refusing to write " + dangling + ": it is a symbolic link");
        CHECK(entries(dir.path()) == std::set<std::string>{"dangling", "link", "target"});
    }

    TEST_CASE("write_file_atomic failures leave the old file and no temporary file") {
        TempDir dir;
        SUBCASE("missing directory") {
            const std::string path = dir / "missing/key";
            CHECK(error_of([&] { write_file_atomic(path, "x"); }) ==
                  "cannot write " + path + ": No such file or directory");
            CHECK(entries(dir.path()).empty());
        }
        SUBCASE("a directory in the way") {
            const std::string path = dir / "sub";
            REQUIRE(::mkdir(path.c_str(), 0700) == 0);
            CHECK(error_of([&] { write_file_atomic(path, "x"); }) == "cannot write " + path + ": Is a directory");
            CHECK(entries(dir.path()) == std::set<std::string>{"sub"});
        }
        SUBCASE("path ending in a slash") {
            const std::string path = dir.path() + "/";
            CHECK(error_of([&] { write_file_atomic(path, "x"); }) == "cannot write " + path + ": Is a directory");
        }
        SUBCASE("a write that fails half-way") {
            const std::string path = dir / "key";
            write_plain(path, "old\n", 0600);
            // RLIMIT_FSIZE makes write() fail with EFBIG after the temporary file exists.
            struct rlimit old_limit {};
            REQUIRE(::getrlimit(RLIMIT_FSIZE, &old_limit) == 0);
            const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
            struct rlimit limit = old_limit;
            limit.rlim_cur = 1024;
            REQUIRE(::setrlimit(RLIMIT_FSIZE, &limit) == 0);
            const std::string message = error_of([&] { write_file_atomic(path, std::string(4096, 'x')); });
            ::setrlimit(RLIMIT_FSIZE, &old_limit);
            ::signal(SIGXFSZ, old_handler);
            CHECK(message == "cannot write " + path + ": File too large");
            CHECK(slurp(path) == "old\n");
            CHECK(entries(dir.path()) == std::set<std::string>{"key"});
        }
    }

    TEST_CASE("registered temporary files are unlinked on request until released") {
        TempDir dir;
        const std::string a = dir / ".a.tmp-123456";
        const std::string b = dir / ".b.tmp-123456";
        write_plain(a, "", 0600);
        write_plain(b, "", 0600);
        {
            TempFileGuard guard_a(a);
            TempFileGuard guard_b(b);
            guard_b.release();
            unlink_registered_temp_files();
        }
        CHECK(entries(dir.path()) == std::set<std::string>{".b.tmp-123456"});
        write_plain(a, "", 0600);
        unlink_registered_temp_files();  // the guards are gone: nothing is registered any more
        CHECK(entries(dir.path()) == std::set<std::string>{".a.tmp-123456", ".b.tmp-123456"});
    }

    TEST_CASE("the registry survives more guards than it has slots") {
        std::vector<std::unique_ptr<TempFileGuard>> guards;
        for (int i = 0; i < 40; ++i) {
            guards.push_back(std::make_unique<TempFileGuard>("/nonexistent/aktoken-" + std::to_string(i)));
        }
        TempFileGuard too_long(std::string(5000, 'x'));
        unlink_registered_temp_files();
        guards.clear();
        TempDir dir;
        const std::string path = dir / "again";
        write_plain(path, "", 0600);
        TempFileGuard guard(path);
        unlink_registered_temp_files();
        CHECK(entries(dir.path()).empty());
    }

    TEST_CASE("read_file_if_exists") {
        TempDir dir;
        CHECK(read_file_if_exists(dir / "missing") == std::nullopt);
        write_plain(dir / "present", "a\nb\n", 0644);
        CHECK(read_file_if_exists(dir / "present") == "a\nb\n");
        const auto with_mode = read_file_with_mode(dir / "present");
        REQUIRE(with_mode.has_value());
        CHECK(with_mode->mode == 0644);
        CHECK(with_mode->owner == ::getuid());
        CHECK(readable_by_others(*with_mode));
        CHECK(error_of([&] { read_file_if_exists(dir.path(), "config file"); }) ==
              "cannot read config file " + dir.path() + ": Is a directory");
        CHECK(error_of([&] { read_file_if_exists(dir / "present/x"); }) ==
              "cannot read " + dir.path() + "/present/x: Not a directory");
    }

    TEST_CASE("read_secret_file refuses files others can read") {
        TempDir dir;
        const std::string path = dir / "token";
        struct Case {
            mode_t mode;
            std::string error;  // empty: read fine
        };
        const std::vector<Case> cases{
            {0600, ""},
            {0400, ""},
            {0700, ""},
            {0644, "token file " + path + " is readable by others (mode 0644); run: chmod 600 " + path},
            {0640, "token file " + path + " is readable by others (mode 0640); run: chmod 600 " + path},
            {0604, "token file " + path + " is readable by others (mode 0604); run: chmod 600 " + path},
            {0620, "token file " + path + " is writable by others (mode 0620); run: chmod 600 " + path},
            {0602, "token file " + path + " is writable by others (mode 0602); run: chmod 600 " + path},
            {0666, "token file " + path + " is readable and writable by others (mode 0666); run: chmod 600 " + path},
            {0601, "token file " + path + " is open to others (mode 0601); run: chmod 600 " + path},
        };
        for (const auto& c : cases) {
            CAPTURE(c.mode);
            write_plain(path, "s3cret\n", c.mode);
            if (c.error.empty()) {
                CHECK(read_secret_file(path, "token file") == "s3cret\n");
            } else {
                CHECK(error_of([&] { read_secret_file(path, "token file"); }) == c.error);
            }
        }
    }

    TEST_CASE("read_secret_file does not judge the mode of a device") {
        // As root /dev/null is the caller's own and mode 0666; chmod is no answer for it.
        const auto device = read_file_with_mode("/dev/null");
        REQUIRE(device);
        CHECK_FALSE(device->regular);
        CHECK_FALSE(readable_by_others(*device));
        CHECK(read_secret_file("/dev/null", "token file").empty());
    }

    TEST_CASE("read_secret_file follows symbolic links and reports missing files") {
        TempDir dir;
        write_plain(dir / "real", "s3cret", 0600);
        REQUIRE(::symlink((dir / "real").c_str(), (dir / "link").c_str()) == 0);
        CHECK(read_secret_file(dir / "link", "token file") == "s3cret");
        CHECK(error_of([&] { read_secret_file(dir / "missing", "token file"); }) ==
              "cannot read token file " + dir.path() + "/missing: No such file or directory");
        CHECK(error_of([&] { read_secret_file("/dev/zero", "token file"); }) ==
              "cannot read token file /dev/zero: File too large");
    }

    TEST_CASE("read_private_file trusts only a regular 0600 file of the user's own, with one name") {
        TempDir dir;
        const std::string path = dir / "pending";
        CHECK(read_private_file(path, "pending key file") == std::nullopt);
        write_plain(path, "key\n", 0600);
        CHECK(read_private_file(path, "pending key file") == "key\n");

        const auto refusal = [&](const std::string& problem) {
            return "refusing pending key file " + path + ": " + problem;
        };
        for (const mode_t mode : {0400, 0640, 0644, 0700, 0660}) {
            CAPTURE(mode);
            REQUIRE(::chmod(path.c_str(), mode) == 0);
            CHECK(error_of([&] { read_private_file(path, "pending key file"); }) ==
                  refusal(fmt::format("its mode is {:04o}, not 0600", mode)));
        }
        REQUIRE(::chmod(path.c_str(), 0600) == 0);
        REQUIRE(::link(path.c_str(), (dir / "second-name").c_str()) == 0);
        CHECK(error_of([&] { read_private_file(path, "pending key file"); }) == refusal("it has 2 hard links, not 1"));
        REQUIRE(::unlink((dir / "second-name").c_str()) == 0);

        const std::string target = dir / "target";
        write_plain(target, "key\n", 0600);
        REQUIRE(::unlink(path.c_str()) == 0);
        REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
        CHECK(error_of([&] { read_private_file(path, "pending key file"); }) == refusal("it is a symbolic link"));
        REQUIRE(::unlink(path.c_str()) == 0);

        REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
        CHECK(error_of([&] { read_private_file(path, "pending key file"); }) == refusal("it is not a regular file"));
        REQUIRE(::unlink(path.c_str()) == 0);

        if (::geteuid() == 0) {
            write_plain(path, "key\n", 0600);
            REQUIRE(::chown(path.c_str(), 65534, 65534) == 0);
            CHECK(error_of([&] { read_private_file(path, "pending key file"); }) ==
                  refusal("it is owned by uid 65534, not by uid 0 who runs aktoken"));
        }
        CHECK(error_of([&] { read_private_file(dir / "pending/x", "pending key file"); }) ==
              "cannot read pending key file " + dir.path() + "/pending/x: Not a directory");
    }

}  // TEST_SUITE

// SPDX-License-Identifier: MIT
#include "aktoken/util/files.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>

#include "aktoken/util/error.h"
#include "aktoken/util/random.h"
#include "aktoken/util/secret.h"

namespace aktoken::util {

namespace {

std::string reason(int error) { return std::strerror(error); }

Error write_error(const std::string& path, int error) {
    return Error(ErrorKind::config, fmt::format("cannot write {}: {}", path, reason(error)));
}

std::string read_subject(std::string_view what, const std::string& path) {
    return what.empty() ? path : fmt::format("{} {}", what, path);
}

// Closes on every path out, including exceptions, without losing the errno of the failure.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            const int saved = errno;
            ::close(fd_);
            errno = saved;
        }
    }
    int get() const { return fd_; }
    // Closes now and reports the result, which matters after writing (NFS reports errors here).
    int close() {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

bool write_all(int fd, std::string_view content) {
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Returns 0 or an errno value; reads in place so a secret is not copied through growing buffers.
int read_all(int fd, std::string& out) {
    std::array<char, 4096> chunk{};
    int result = 0;
    while (true) {
        const ssize_t n = ::read(fd, chunk.data(), chunk.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            result = errno;
            break;
        }
        if (n == 0) {
            break;
        }
        if (out.size() + static_cast<std::size_t>(n) > max_read_size) {
            result = EFBIG;
            break;
        }
        out.append(chunk.data(), static_cast<std::size_t>(n));
    }
    explicit_bzero(chunk.data(), chunk.size());
    if (result != 0) {
        wipe(out);
    }
    return result;
}

// The signal handler may only touch lock-free atomics and fixed storage.
constexpr std::size_t temp_slot_count = 16;
constexpr std::size_t temp_path_capacity = 4096;
enum SlotState : int { slot_free = 0, slot_claimed = 1, slot_ready = 2 };

struct TempSlot {
    std::atomic<int> state{slot_free};
    std::array<char, temp_path_capacity> path{};
};

static_assert(std::atomic<int>::is_always_lock_free);

std::array<TempSlot, temp_slot_count> temp_slots;

// Without this a rename may be lost on a crash even though the data blocks were synced.
void sync_directory_of(const std::string& path) {
    const auto slash = path.rfind('/');
    const std::string directory = slash == std::string::npos ? std::string(".") : path.substr(0, slash + 1);
    Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0) {
        throw write_error(path, errno);
    }
    if (::fsync(dir.get()) != 0 && errno != EINVAL && errno != ENOTSUP) {
        // Some filesystems cannot sync a directory (EINVAL); that is not a failure to report.
        throw write_error(path, errno);
    }
}

}  // namespace

void write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) {
        if (S_ISLNK(info.st_mode)) {
            throw Error(ErrorKind::config, fmt::format("refusing to write {}: it is a symbolic link", path));
        }
    } else if (errno != ENOENT) {
        throw write_error(path, errno);
    }
    const auto slash = path.rfind('/');
    const std::string prefix = slash == std::string::npos ? std::string() : path.substr(0, slash + 1);
    const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
    if (base.empty()) {
        throw write_error(path, EISDIR);
    }

    std::string temp;
    int fd = -1;
    // A collision with six random characters is unlikely; a few retries make it practically
    // impossible without looping forever on a directory that always answers EEXIST.
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
        const Secret suffix = random_key(6);
        temp = fmt::format("{}.{}.tmp-{}", prefix, base, suffix.view());
        fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST) {
            throw write_error(path, errno);
        }
    }
    if (fd < 0) {
        throw write_error(path, EEXIST);
    }
    TempFileGuard guard(temp);
    Fd file(fd);
    const auto fail = [&](int error) {
        ::unlink(temp.c_str());
        return write_error(path, error);
    };
    // open() applied the umask; the caller asked for exactly this mode.
    if (::fchmod(file.get(), mode) != 0 || !write_all(file.get(), content) || ::fsync(file.get()) != 0) {
        throw fail(errno);
    }
    if (file.close() != 0) {
        throw fail(errno);
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        throw fail(errno);
    }
    guard.release();
    sync_directory_of(path);
}

void rename_durably(const std::string& from, const std::string& to) {
    struct stat info {};
    if (::lstat(to.c_str(), &info) == 0 && S_ISLNK(info.st_mode)) {
        throw Error(ErrorKind::config, fmt::format("refusing to write {}: it is a symbolic link", to));
    }
    if (::rename(from.c_str(), to.c_str()) != 0) {
        throw Error(ErrorKind::config, fmt::format("cannot rename {} to {}: {}", from, to, reason(errno)));
    }
    sync_directory_of(to);
}

std::optional<FileContent> read_file_with_mode(const std::string& path, std::string_view what) {
    const auto fail = [&](int error) {
        return Error(ErrorKind::config, fmt::format("cannot read {}: {}", read_subject(what, path), reason(error)));
    };
    // O_NOCTTY: a path naming a terminal must not become our controlling terminal.
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (file.get() < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        throw fail(errno);
    }
    // The checks use the opened descriptor, not the name, so a swapped file cannot slip through.
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) {
        throw fail(errno);
    }
    if (S_ISDIR(info.st_mode)) {
        throw fail(EISDIR);
    }
    FileContent result;
    result.mode = info.st_mode & 07777;
    result.owner = info.st_uid;
    result.regular = S_ISREG(info.st_mode);
    if (S_ISREG(info.st_mode) && static_cast<std::size_t>(info.st_size) < max_read_size) {
        result.content.reserve(static_cast<std::size_t>(info.st_size) + 1);
    }
    if (const int error = read_all(file.get(), result.content); error != 0) {
        throw fail(error);
    }
    return result;
}

std::optional<std::string> read_file_if_exists(const std::string& path, std::string_view what) {
    auto file = read_file_with_mode(path, what);
    if (!file) {
        return std::nullopt;
    }
    return std::move(file->content);
}

std::optional<std::string> read_private_file(const std::string& path, std::string_view what) {
    const auto refuse = [&](const std::string& problem) {
        return Error(ErrorKind::config, fmt::format("refusing {}: {}", read_subject(what, path), problem));
    };
    // O_NOFOLLOW: a link planted at path would hand over a file of the planter's choosing;
    // O_NONBLOCK: a FIFO planted there would otherwise hang the open.
    Fd file(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK));
    if (file.get() < 0) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        if (errno == ELOOP) {
            throw refuse("it is a symbolic link");
        }
        throw Error(ErrorKind::config, fmt::format("cannot read {}: {}", read_subject(what, path), reason(errno)));
    }
    struct stat info {};
    if (::fstat(file.get(), &info) != 0) {
        throw Error(ErrorKind::config, fmt::format("cannot read {}: {}", read_subject(what, path), reason(errno)));
    }
    if (!S_ISREG(info.st_mode)) {
        throw refuse("it is not a regular file");
    }
    if (info.st_uid != ::geteuid()) {
        throw refuse(fmt::format("it is owned by uid {}, not by uid {} who runs aktoken", info.st_uid, ::geteuid()));
    }
    if ((info.st_mode & 07777) != 0600) {
        throw refuse(fmt::format("its mode is {:04o}, not 0600", info.st_mode & 07777));
    }
    // A second name means someone else may have linked in a file of the user's own.
    if (info.st_nlink != 1) {
        throw refuse(fmt::format("it has {} hard links, not 1", info.st_nlink));
    }
    std::string content;
    if (const int error = read_all(file.get(), content); error != 0) {
        throw Error(ErrorKind::config, fmt::format("cannot read {}: {}", read_subject(what, path), reason(error)));
    }
    return content;
}

bool readable_by_others(const FileContent& file) {
    return file.regular && file.owner == ::getuid() && (file.mode & 077) != 0;
}

std::string readable_by_others_hint(const std::string& path, mode_t mode) {
    const bool readable = (mode & 044) != 0;
    const bool writable = (mode & 022) != 0;
    const char* exposure = readable && writable ? "readable and writable by others"
                           : readable           ? "readable by others"
                           : writable           ? "writable by others"
                                                : "open to others";
    return fmt::format("{} (mode {:04o}); run: chmod 600 {}", exposure, mode & 07777, path);
}

std::string read_secret_file(const std::string& path, std::string_view what) {
    auto file = read_file_with_mode(path, what);
    if (!file) {
        throw Error(ErrorKind::config, fmt::format("cannot read {}: {}", read_subject(what, path), reason(ENOENT)));
    }
    if (readable_by_others(*file)) {
        wipe(file->content);
        throw Error(ErrorKind::config,
                    fmt::format("{} is {}", read_subject(what, path), readable_by_others_hint(path, file->mode)));
    }
    return std::move(file->content);
}

TempFileGuard::TempFileGuard(const std::string& path) noexcept {
    if (path.size() >= temp_path_capacity) {
        return;
    }
    for (std::size_t i = 0; i < temp_slots.size(); ++i) {
        int expected = slot_free;
        if (temp_slots[i].state.compare_exchange_strong(expected, slot_claimed)) {
            std::memcpy(temp_slots[i].path.data(), path.c_str(), path.size() + 1);
            // Published only once the path is complete, so the handler never sees half of it.
            temp_slots[i].state.store(slot_ready);
            slot_ = static_cast<int>(i);
            return;
        }
    }
}

TempFileGuard::~TempFileGuard() { release(); }

void TempFileGuard::release() noexcept {
    if (slot_ >= 0) {
        temp_slots[static_cast<std::size_t>(slot_)].state.store(slot_free);
        slot_ = -1;
    }
}

void unlink_registered_temp_files() noexcept {
    for (auto& slot : temp_slots) {
        if (slot.state.load() == slot_ready) {
            ::unlink(slot.path.data());
        }
    }
}

}  // namespace aktoken::util

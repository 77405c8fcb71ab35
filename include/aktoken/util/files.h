// SPDX-License-Identifier: MIT
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace aktoken::util {

// Replaces the file at path with content so that readers see the old or the new file, never a
// mix: writes a temporary file in the same directory with exactly `mode` (whatever the umask),
// fsyncs it, renames it over path and fsyncs the directory. Refuses a symbolic link at path. On
// failure path is left untouched and aktoken::Error (config) is thrown.
void write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0600);

// Renames `from` over `to` and syncs the directory so that the rename survives a crash; refuses
// a symbolic link at `to`. Throws aktoken::Error (config).
void rename_durably(const std::string& from, const std::string& to);

// The bytes of a file together with the owner and permission bits of what was opened.
struct FileContent {
    std::string content;
    mode_t mode = 0;  // permission bits only (st_mode & 07777)
    uid_t owner = 0;
    bool regular = true;  // false for a device, pipe or socket (/dev/null, <(...))
};

// The largest file the read functions accept, so that /dev/zero or a huge file fails quickly; also
// the cap for read_capped (values.h) on standard input.
inline constexpr std::size_t max_read_size = std::size_t{1024} * 1024;

// Reads a whole file with its owner and mode; nullopt if it does not exist. Other failures throw
// aktoken::Error (config) "cannot read <what> <path>: <reason>" (no "<what> " when what is empty).
std::optional<FileContent> read_file_with_mode(const std::string& path, std::string_view what = {});

// Reads a whole file; nullopt if it does not exist, aktoken::Error (config) on other failures.
std::optional<std::string> read_file_if_exists(const std::string& path, std::string_view what = {});

// Reads a file that nobody but the user running aktoken can have put there: opened without
// following a symbolic link, a regular file with a single link, owned by the effective user, mode
// exactly 0600. nullopt if it does not exist. Throws aktoken::Error (config) "refusing <what>
// <path>: <problem>" when it is not such a file, "cannot read <what> <path>: <reason>" when it
// cannot be read. The caller wipes the result.
std::optional<std::string> read_private_file(const std::string& path, std::string_view what);

// Tells whether a regular file is owned by the current user and open to group or others, which
// is what OpenSSH refuses for private keys (files owned by others, like secret mounts, are not
// judged, nor are devices and pipes, whose modes chmod is no answer for).
bool readable_by_others(const FileContent& file);

// Builds the end of the message for a secret exposed to others, to follow "<subject> is " or
// "<subject> holds a token and is ": "readable by others (mode 0644); run: chmod 600 <path>";
// "writable by others", "readable and writable by others" or "open to others" (execute bits
// only) as the mode says.
std::string readable_by_others_hint(const std::string& path, mode_t mode);

// Reads a secret such as a token file (following symbolic links, which secret mounts use); throws
// aktoken::Error (config) if it is missing or unreadable ("cannot read <what> <path>: ...") or
// readable_by_others ("<what> <path> is readable by others ..."). The caller wipes the result.
std::string read_secret_file(const std::string& path, std::string_view what);

// Registers a temporary file for unlink_registered_temp_files while it exists, so that an
// interrupt does not leave it behind; it does not unlink the file itself. When the fixed registry
// is full or the path too long the file is silently not registered.
class TempFileGuard {
public:
    explicit TempFileGuard(const std::string& path) noexcept;
    TempFileGuard(const TempFileGuard&) = delete;
    TempFileGuard& operator=(const TempFileGuard&) = delete;
    ~TempFileGuard();

    // Unregisters the path early, for instance once it has been renamed.
    void release() noexcept;

private:
    int slot_ = -1;
};

// Unlinks every registered temporary file; async-signal-safe, for SIGINT and SIGTERM handlers.
void unlink_registered_temp_files() noexcept;

}  // namespace aktoken::util

#pragma once
// Small file helpers that throw hull::Error with the path in the message.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull {

// open(2) with O_CLOEXEC added; throws "open <path>: <errno>".
UniqueFd open_fd(const std::string& path, int flags, mode_t mode = 0);
// openat(2) with O_CLOEXEC added; `what` names the file in errors.
UniqueFd open_at(int dirfd, const std::string& name, int flags, mode_t mode = 0);

// `name` in the directory dirfd, for a message: which directory filled up
// or refused the write (the state root, a container's state dir) is what
// the user acts on. Reads /proc/self/fd: for error paths only; the bare
// name where that fails too (no fd left to read it with).
std::string in_dir(int dirfd, const std::string& name);

// A path the config or a create-time flag gives (root.path, a bind mount's
// source, --console-socket, --pidfd-socket, a seccomp listenerPath): a
// relative one is the bundle's, as runc reads it after changing into the
// bundle; "" stays "".
std::string path_in_bundle(const std::string& path, const std::string& bundle);

// Whole contents of a file; one over max_size bytes (a pipe, /dev/zero
// too) is an error (EFBIG) naming it, found without reading more than that.
std::string read_file(const std::string& path, size_t max_size = SIZE_MAX);
std::string read_fd(int fd, const std::string& what, size_t max_size = SIZE_MAX);
// dirfd/name (AT_FDCWD and a path work too) read whole, for files the runtime
// wrote itself into a directory someone else may have tampered with
// (state.json, the saved config): a final symlink is not followed, a fifo or
// device does not block (O_NONBLOCK), and a file over max_size bytes is an
// error, as is an empty fifo or device or one that fills the first read.
// What a fifo with a writer holds, or a device's short read, is read like a
// file: only someone who may write the directory can put either there.
// Throws hull::Error carrying the errno (ENOENT when missing); `what` names
// the file.
std::string read_regular_file_at(int dirfd, const std::string& name, size_t max_size, const std::string& what);
// The same over an fd the caller opened (O_NONBLOCK, so that a fifo or
// device in the file's place does not block the open either).
std::string read_regular_fd(int fd, size_t max_size, const std::string& what);

// The names in the open directory dirfd but "." and "..", each with its
// d_type (DT_UNKNOWN where the filesystem does not say); dirfd's own offset
// is left alone. Throws hull::Error naming `what`.
std::vector<std::pair<std::string, unsigned char>> directory_entries(int dirfd, const std::string& what);
// The subdirectories of dir, as full paths (by d_type: for kernfs, cgroupfs
// and resctrl, which all give it); none where dir cannot be opened, as when
// it is gone already.
std::vector<std::string> subdirectory_paths(const std::string& dir);

// A file's permission bits as messages and mount options show them: "0755".
std::string mode_text(unsigned mode);

// Writes all of data to fd (retrying short writes and EINTR, and waiting
// for room where a non-blocking fd has none).
void write_all(int fd, std::string_view data, const std::string& what);
// Opens path O_WRONLY (no O_TRUNC: /proc and kernfs files take one whole value per write) and writes data.
void write_file(const std::string& path, std::string_view data);

// Writes dirfd/name atomically: a temp file in the same directory, then rename.
void write_file_atomic(int dirfd, const std::string& name, std::string_view data, mode_t mode = 0600);
// The same, for a directory only hull writes in (a container's state dir):
// an existing dirfd/name is swapped out (RENAME_EXCHANGE) and then unlinked
// rather than renamed over. Readers see the old or the new file as with a
// rename, but ext4 does not force the new file's blocks out first
// (auto_da_alloc, ~70 us and a journal transaction, for files that live in
// /run and need no crash safety). A crash between the swap and the unlink
// leaves the old version at the temp name, overwritten by the next write.
void replace_file_at(int dirfd, const std::string& name, std::string_view data, mode_t mode = 0600);

}  // namespace hull

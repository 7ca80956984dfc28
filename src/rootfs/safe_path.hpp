#pragma once
// Paths inside the container's rootfs, opened so that nothing leads outside it.
//
// Every path a config names inside the rootfs (mount destinations, device
// nodes, masked and read-only paths) is attacker-controlled: the rootfs comes
// from an image, and a symlink in it may point at the host's /etc or /proc.
// runc resolved such paths as strings and then mounted on the string, racing
// the container (CVE-2021-30465, CVE-2024-45310, CVE-2019-18837,
// CVE-2019-19921, CVE-2023-27561). Here a path is resolved once, by the
// kernel, with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) against a
// dirfd of the rootfs, and the caller works on the resulting fd from then on
// (mounting on /proc/self/fd/N or with move_mount). Missing components are
// created one at a time on fds that were themselves resolved in the root.
#include <fcntl.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::rootfs {

// openat2(2) with retries on EAGAIN (the kernel's answer to a concurrent
// rename during a RESOLVE_IN_ROOT walk). Returns -1 with errno set.
int openat2_fd(int dirfd, const char* path, uint64_t flags, uint64_t resolve);

// Opens `path` (absolute or relative, read as seen from the container's "/")
// inside the rootfs. Symlinks are followed but never leave the root;
// /proc/self/fd-style magic links are refused. flags default to O_PATH.
// Returns an empty UniqueFd when the path does not exist (ENOENT); throws
// hull::Error naming the path otherwise.
UniqueFd open_in_root(int rootfd, std::string_view path, int flags = O_PATH, uint64_t extra_resolve = 0);

enum class NodeKind { Directory, File };

// Opens `path` inside the rootfs like open_in_root, creating what is missing
// first: directories (mode 0755) for every missing component, and the last one
// as `kind` (an empty regular file with mode 0644, or a directory). A dangling
// symlink is followed and its target created inside the root, as mkdir -p
// would. Returns an O_PATH fd.
UniqueFd create_in_root(int rootfd, std::string_view path, NodeKind kind);

// Components of a path, without empty ones and ".": "/a//b/./c" -> {a, b, c}.
std::vector<std::string> split_path(std::string_view path);
// "/" + components joined: the path as the container names it, for messages.
std::string clean_path(std::string_view path);

// `path` as the container names it when, read lexically ("." and ".."
// applied to the words, no symlink looked at), it is `root` or lies below
// it: "/b/rootfs/data" below "/b/rootfs" is "/data", "/b/rootfs" itself "/";
// nullopt for any other path, and for any path below a `root` of "/",
// where every path already names itself. A relative `path` is read from
// "/". runc (libcontainer's LexicallyStripRoot) reads a mount destination
// written with the rootfs path in front this way.
std::optional<std::string> path_below(std::string_view root, std::string_view path);

// "/proc/self/fd/N": the path form of an fd for syscalls that only take paths
// (mount(2)). The kernel resolves it to exactly the file the fd refers to.
std::string fd_path(int fd);

}  // namespace hull::rootfs

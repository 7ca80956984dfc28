#pragma once
// A minimal busybox rootfs, built at test time from the host's static busybox
// (Debian busybox-static) so no binary is committed and no network is needed.
//
// Layout: bin/busybox + one symlink per applet (bin/sh, bin/sleep, ...),
// etc/passwd (root, nobody 65534), etc/group, empty proc sys dev tmp root.
#include <filesystem>
#include <optional>
#include <string>

namespace hull::itest {

inline constexpr const char* kHostBusybox = "/bin/busybox";

// True when the ELF file at path has a PT_INTERP header, i.e. needs a dynamic
// loader (which a busybox rootfs lacks).
bool has_interpreter(const std::string& path);

// Why integration tests cannot build a rootfs here, or nullopt when they can.
std::optional<std::string> rootfs_unavailable_reason();

// Makes a rootfs at dest (which must not exist) from a template built once per
// test binary. bin/busybox is a hard link to the template's copy: tests must
// replace it, never modify it in place. Everything else is a private copy.
void make_rootfs(const std::filesystem::path& dest);

// The least a library test's rootfs needs: bin/busybox (a private copy) and
// bin/sh, nothing else, so a test may put a symlink or a file where proc,
// sys, dev or etc would be (the rootfs escape tests). dest must not exist.
void make_bare_rootfs(const std::filesystem::path& dest);

}  // namespace hull::itest

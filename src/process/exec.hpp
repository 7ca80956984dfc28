#pragma once
// process.args: finding the binary, checking it can run, execve, and saying why
// not when it cannot.
#include <sys/stat.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hull::process {

// The value of PATH in env ("PATH=..."); the usual default when absent.
std::string path_from_env(const std::vector<std::string>& env);

// execvp-style lookup of `file` in PATH from the *container's* env (not ours):
// a name with '/' is used as is; otherwise the first regular, executable
// PATH entry wins. Throws naming the file and the PATH searched.
std::string find_executable(const std::string& file, const std::vector<std::string>& env);

// Checks what execve would trip on, so `create` fails with a message a user
// can act on instead of a bare ENOENT at `start`: not a file, not executable,
// a #! interpreter or an ELF dynamic loader missing, CRLF in a #! line, a
// binary outside the container's mounts (CVE-2024-21626) unless it is one of
// `passed_fds`, the files the caller handed over (--preserve-fds): a memfd or
// a host script given as /proc/self/fd/3 runs, as with runc. `runtime`:
// the runtime binary as stat saw it, where /proc/self/exe may be out of
// reach (a filter refusing openat2); null: read here. Throws hull::Error.
void check_executable(const std::string& path, std::span<const int> passed_fds = {},
                      const struct stat* runtime = nullptr);

// The runtime binary (/proc/self/exe) as fstat sees it; nullopt where
// procfs cannot say.
std::optional<struct stat> runtime_binary_stat();

// Why execve(path) failed with `err`, as a sentence naming the binary.
// `where` says where a missing file was looked for (" in the container");
// empty for a hook.
std::string explain_exec_failure(const std::string& path, int err, std::string_view where = " in the container");

// execve, or throws with explain_exec_failure.
[[noreturn]] void exec_program(const std::string& path, const std::vector<std::string>& args,
                               const std::vector<std::string>& env);

}  // namespace hull::process

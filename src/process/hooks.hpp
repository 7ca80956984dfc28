#pragma once
// Lifecycle hooks (config.md "POSIX-platform Hooks"): each one a child
// process with the container state on stdin, run in order, with a timeout.
#include <string>
#include <string_view>
#include <vector>

#include "spec/spec.hpp"

namespace hull::process {

// Fail: the first failing hook throws and the rest do not run
// (prestart, createRuntime, createContainer, startContainer).
// Warn: a failure is reported with process::warn and the next hook runs
// (poststart, poststop).
enum class HookFailure { Fail, Warn };

// Runs `hooks` in order. `kind` ("createRuntime", ...) names them in errors:
//   hook createRuntime[1] "/usr/bin/netns-setup": exited with status 3: <its output>
// Each hook gets `state_json` on stdin, exactly hook.args as argv (path when
// empty) and exactly hook.env as environment (`[]`: none); a hook without
// `env` gets `default_env`, else the runtime's own, as runc's host hooks do
// (those run in the container get the container process's, as in runc:
// nothing of the caller's environment may reach a program of the image).
// stdout and stderr are captured for the error message (the last 4 KiB). Each
// runs in `cwd` (the bundle for the hooks run on the host, whose relative
// paths mean the bundle's under runc, which works from there; empty: the
// caller's), in a process group of its own, which a hook past its timeout is
// killed with, as one is when SIGINT, SIGTERM, SIGHUP or SIGQUIT comes
// (blocked while the hooks run, and taken): it fails, and a Warn list stops.
void run_hooks(const std::vector<spec::Hook>& hooks, std::string_view kind, const std::string& state_json,
               HookFailure policy, const std::string& cwd = {}, const std::vector<std::string>* default_env = nullptr);

// The state for hooks run in the container's namespaces (createContainer,
// startContainer): `status`, and the pid as the container sees it
// (runtime.md: "For hooks executed in the container namespace, it is the
// pid as seen by the container"), that of the calling init.
std::string state_seen_from_container(const std::string& state_json, const char* status);

}  // namespace hull::process

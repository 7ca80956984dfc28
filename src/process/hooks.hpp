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
// empty) and exactly hook.env as environment (the runtime's own when it is
// empty, as runc's hooks get); stdout and stderr are captured
// for the error message (first 4 KiB). Each runs in `cwd` (the bundle for
// the hooks run on the host, whose relative paths mean the bundle's under
// runc, which works from there; empty: the caller's), in a process group of
// its own, which a hook past its timeout is killed with.
void run_hooks(const std::vector<spec::Hook>& hooks, std::string_view kind, const std::string& state_json,
               HookFailure policy, const std::string& cwd = {});

}  // namespace hull::process

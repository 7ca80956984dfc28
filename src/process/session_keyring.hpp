#pragma once
// The session keyring of a container process: keys are not namespaced, so a
// process that kept the session keyring of the `hull create` or `hull exec`
// that started it could read and use the host session's keys.
#include <string>

namespace hull::process {

// Joins a new session keyring named `name` (the init: "_ses.<id>", as runc
// names it), or a new anonymous one when `name` is empty (an exec process).
// The keyring is the caller's own: its permissions let no other process join
// it by name (runc grants user search so that its exec joins the container's
// by name, which any root process of the same user namespace, in another
// container too, could do). Nothing where the kernel has no keyrings (ENOSYS).
void join_new_session_keyring(const std::string& name);

}  // namespace hull::process

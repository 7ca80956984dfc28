#pragma once
// HOME for the container's process when the config leaves it out, as runc
// and crun set it: the home directory of process.user.uid in the container's
// /etc/passwd, or "/". Engines that build their own environment (Docker,
// podman) pass HOME themselves; containerd's CRI does not, so Kubernetes
// containers get theirs from the runtime.
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace hull::process {

// Whether env leaves HOME unset or empty (runc's test: the value the last
// assignment gives, empty counting as unset).
bool lacks_home(const std::vector<std::string>& env);

// The home field of the first passwd(5) entry with this uid (base/passwd.hpp);
// "/" when there is none.
std::string home_in_passwd(std::string_view passwd, uid_t uid);

// env with every HOME= entry replaced by one HOME=home at the end.
std::vector<std::string> with_home(std::vector<std::string> env, const std::string& home);

// env, with HOME from the container's /etc/passwd (read in the root this
// process now has) when lacks_home. A missing or unreadable passwd, a fifo
// or device in its place, is "no such user", as for runc.
std::vector<std::string> env_with_home(const std::vector<std::string>& env, uid_t uid);

}  // namespace hull::process

#pragma once
// A new network namespace starts with its loopback interface down. runc (its
// "loopback" network) and crun bring it up, so a container with no other
// network (podman --network none, a bare `run`) still reaches 127.0.0.1 and
// ::1; hull does the same.
#include "base/unique_fd.hpp"

namespace hull::ns {

// Inside the new network namespace: sets "lo" up. Returns the socket it
// used, one of the namespace's (ioctl SIOCGSKNS gives the namespace).
UniqueFd bring_loopback_up();

}  // namespace hull::ns

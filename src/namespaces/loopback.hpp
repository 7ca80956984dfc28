#pragma once
// A new network namespace starts with its loopback interface down. runc (its
// "loopback" network) and crun bring it up, so a container with no other
// network (podman --network none, a bare `run`) still reaches 127.0.0.1 and
// ::1; hull does the same.

namespace hull::ns {

// Inside the new network namespace: sets "lo" up.
void bring_loopback_up();
// The same through `sock`, a socket of that namespace.
void bring_loopback_up(int sock);

}  // namespace hull::ns

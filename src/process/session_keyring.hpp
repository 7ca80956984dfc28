#pragma once
// The session keyring of a container process: keys are not namespaced, so a
// process that kept the session keyring of the `hull create` or `hull exec`
// that started it could read and use the host session's keys.
#include "spec/spec.hpp"

namespace hull::process {

// Joins a new anonymous session keyring, labelled with process.selinuxLabel
// where SELinux is on (it labels a key at its creation). Anonymous, for the
// init too: joined by name ("_ses.<id>", as runc names the init's), it is
// whatever keyring of that name the caller may search, one another
// container's root of the same user namespace made beforehand, with its
// keys, to read the container's. Nothing where the kernel has no keyrings
// (ENOSYS).
void join_new_session_keyring(const spec::Spec& spec);

}  // namespace hull::process

#pragma once
// The cgroup a state.json names, checked against the owner mark create put
// on it (cgroups/ownership.hpp) before anything destructive is done to it.
#include <string>

#include "cgroups/cgroup_manager.hpp"
#include "runtime/state_store.hpp"

namespace hull {

// What create marks the container's cgroup with: its id and the identity of
// its state directory, which a damaged state.json cannot change.
std::string cgroup_owner_tag(const ContainerDir& dir);

// The container's cgroup for an act on every process in it (kill --all,
// pause, resume): throws unless every directory carries this container's
// mark (or, unmarked, holds the recorded init), naming the directory and the
// state file not to trust.
cgroups::Manager load_owned_cgroup(const ContainerDir& dir, const ContainerState& st);

// Throws when the cgroup state.json names carries another container's mark:
// the check delete makes before it kills anything.
void refuse_foreign_cgroup(const ContainerDir& dir, const ContainerState& st);

// delete: kills what is left in the cgroup and removes it, when it is this
// container's. An unmarked cgroup (a create killed between mkdir and mark,
// or made by an older hull) is only removed when nothing runs in it; a
// foreign one is left alone. Both are errors naming the directory.
void destroy_owned_cgroup(const ContainerDir& dir, const ContainerState& st);

// Whether pid runs in the container's (owned) cgroup; true when the
// container has no cgroup. For signals to the recorded init: its pid and
// start time come from state.json too.
bool init_in_owned_cgroup(const ContainerDir& dir, const ContainerState& st, pid_t pid);

}  // namespace hull

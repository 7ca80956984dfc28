#pragma once
// Namespace plumbing for the init: which namespaces the clone creates, and
// which existing ones (linux.namespaces[].path) the init joins.
#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::ns {

// CLONE_NEW* flag of a namespace type.
uint64_t clone_flag(spec::NamespaceType t);
// Name under /proc/<pid>/ns/ ("net" for network, "mnt" for mount, ...).
const char* proc_name(spec::NamespaceType t);

// A namespace given by path, opened before the clone so the path is resolved
// in the runtime's mount namespace.
struct JoinTarget {
  spec::NamespaceType type;
  std::string path;
  std::string field;  // ".linux.namespaces[i].path", for errors
  UniqueFd fd;
};

struct NamespacePlan {
  uint64_t clone_flags = 0;      // namespaces the clone creates
  std::vector<JoinTarget> join;  // namespaces to setns() into
  // The runtime's own pid and time namespaces while it has joined others for
  // the clone (join_before_clone): return_to_own_namespaces goes back.
  UniqueFd own_pid_ns, own_time_ns;
};

// Opens every namespace path and checks it is a namespace of the right type.
NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces);

// pid and time namespaces given by path apply to children only, so the
// runtime joins them itself before the clone, keeping its own to return to;
// returns after those setns calls.
void join_before_clone(NamespacePlan& plan);
// The same joins without a way back: for a launch helper, which exits after
// its clone (the runtime that could not return, InitPlan::join_before_clone_in_helper).
void join_for_children(NamespacePlan& plan);
// Back to the runtime's own pid and time namespaces, right after the clone.
// Every child the runtime makes from then on (hooks, newuidmap) would be
// born in the joined pid namespace: the spec runs the host's hooks in the
// runtime's namespaces, and a hook among the container's processes, as the
// host's root, is one they could ptrace. Joining a time namespace moves the
// caller too: its own /proc/<pid>/stat start times and CLOCK_BOOTTIME and
// MONOTONIC read with the joined offsets, so the init's start time would not
// be recorded as every later command reads it. Throws naming the step.
void return_to_own_namespaces(NamespacePlan& plan);
// The namespace of type t the plan joins by path, or null.
const JoinTarget* joined(const NamespacePlan& plan, spec::NamespaceType t);
// The other joins, done by the init right after the clone.
void join_in_init(NamespacePlan& plan);

// True when the plan joins an existing user namespace by path.
bool joins_user_namespace(const NamespacePlan& plan);

// True when the config gives the container a namespace of this type of its own
// (created, not joined and not the host's).
bool is_private(const std::vector<spec::Namespace>& namespaces, spec::NamespaceType t);

}  // namespace hull::ns

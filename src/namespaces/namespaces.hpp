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
  UniqueFd fd;
};

struct NamespacePlan {
  uint64_t clone_flags = 0;      // namespaces the clone creates
  std::vector<JoinTarget> join;  // namespaces to setns() into
};

// Opens every namespace path and checks it is a namespace of the right type.
NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces);

// pid and time namespaces given by path apply to children only, so the
// runtime joins them itself before the clone; returns after those setns calls.
void join_before_clone(NamespacePlan& plan);
// The other joins, done by the init right after the clone.
void join_in_init(NamespacePlan& plan);

// True when the plan joins an existing user namespace by path.
bool joins_user_namespace(const NamespacePlan& plan);

// True when the config gives the container a namespace of this type of its own
// (created, not joined and not the host's).
bool is_private(const std::vector<spec::Namespace>& namespaces, spec::NamespaceType t);

}  // namespace hull::ns

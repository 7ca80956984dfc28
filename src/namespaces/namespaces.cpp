#include "namespaces/namespaces.hpp"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"

namespace hull::ns {

using spec::NamespaceType;

uint64_t clone_flag(NamespaceType t) {
  switch (t) {
    case NamespaceType::Mount: return CLONE_NEWNS;
    case NamespaceType::Pid: return CLONE_NEWPID;
    case NamespaceType::Network: return CLONE_NEWNET;
    case NamespaceType::Uts: return CLONE_NEWUTS;
    case NamespaceType::Ipc: return CLONE_NEWIPC;
    case NamespaceType::User: return CLONE_NEWUSER;
    case NamespaceType::Cgroup: return CLONE_NEWCGROUP;
    case NamespaceType::Time: return CLONE_NEWTIME;
  }
  return 0;
}

const char* proc_name(NamespaceType t) {
  switch (t) {
    case NamespaceType::Mount: return "mnt";
    case NamespaceType::Pid: return "pid";
    case NamespaceType::Network: return "net";
    case NamespaceType::Uts: return "uts";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::User: return "user";
    case NamespaceType::Cgroup: return "cgroup";
    case NamespaceType::Time: return "time";
  }
  return "?";
}

namespace {
// What an error joining it starts with: the field, what and where.
std::string join_step(const JoinTarget& j) {
  return j.field + ": join " + spec::to_string(j.type) + " namespace " + quote(j.path);
}
}  // namespace

NamespacePlan plan_namespaces(const std::vector<spec::Namespace>& namespaces) {
  NamespacePlan plan;
  for (size_t i = 0; i < namespaces.size(); ++i) {
    const spec::Namespace& n = namespaces[i];
    if (!n.path) {
      plan.clone_flags |= clone_flag(n.type);
      continue;
    }
    JoinTarget j{n.type, *n.path, ".linux.namespaces[" + std::to_string(i) + "].path", {}};
    const std::string what = join_step(j);
    // O_NONBLOCK: a fifo in its place fails the type check below rather than
    // block (`run` has its signals blocked by then); O_NOCTTY: a terminal
    // never becomes ours.
    UniqueFd fd(::open(n.path->c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd) throw_errno(what);
    // NS_GET_NSTYPE tells a namespace file from any other file, and its type:
    // joining the wrong kind would silently leave the container in the host's.
    int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0) throw_errno(what + ": not a namespace file");
    if (static_cast<uint64_t>(type) != clone_flag(n.type))
      throw Error(what + ": the file is a namespace of another type");
    j.fd = std::move(fd);
    plan.join.push_back(std::move(j));
  }
  return plan;
}

namespace {
bool applies_to_children(NamespaceType t) { return t == NamespaceType::Pid || t == NamespaceType::Time; }

void join(JoinTarget& j) {
  if (::setns(j.fd.get(), static_cast<int>(clone_flag(j.type))) < 0) throw_errno(join_step(j));
  j.fd.reset();
}
}  // namespace

void join_for_children(NamespacePlan& plan) {
  for (auto& j : plan.join)
    if (j.fd && applies_to_children(j.type)) join(j);
}

void join_before_clone(NamespacePlan& plan) {
  for (auto& j : plan.join) {
    if (!applies_to_children(j.type)) continue;
    UniqueFd& own = j.type == NamespaceType::Pid ? plan.own_pid_ns : plan.own_time_ns;
    if (!own) {
      const char* name = proc_name(j.type);
      own = with_context("keep hull's own " + std::string(name) + " namespace",
                         [&] { return procfs::open_link_target(std::string("thread-self/ns/") + name, O_RDONLY); });
    }
  }
  join_for_children(plan);
}

void return_to_own_namespaces(NamespacePlan& plan) {
  for (auto [own, type] : {std::pair{&plan.own_pid_ns, NamespaceType::Pid}, {&plan.own_time_ns, NamespaceType::Time}}) {
    if (!*own) continue;
    if (::setns(own->get(), static_cast<int>(clone_flag(type))) < 0)
      throw_errno("return to hull's own " + std::string(proc_name(type)) + " namespace after the clone");
    own->reset();
  }
}

const JoinTarget* joined(const NamespacePlan& plan, NamespaceType t) {
  for (const auto& j : plan.join)
    if (j.type == t) return &j;
  return nullptr;
}

bool joins_user_namespace(const NamespacePlan& plan) { return joined(plan, NamespaceType::User) != nullptr; }

void join_in_init(NamespacePlan& plan) {
  // runc's order. Joining a user namespace gives up the caller's privileges
  // over everything outside it: a namespace owned by the host's user
  // namespace (a CNI network namespace, say) can be joined only before it,
  // one owned by the joined user namespace perhaps only after. So: every
  // other namespace this process may join now, then the user namespace,
  // then what was refused for want of privilege.
  if (joins_user_namespace(plan)) {
    for (auto& j : plan.join) {
      if (!j.fd || applies_to_children(j.type) || j.type == NamespaceType::User) continue;
      if (::setns(j.fd.get(), static_cast<int>(clone_flag(j.type))) == 0)
        j.fd.reset();
      else if (errno != EPERM)
        throw_errno(join_step(j));
    }
    for (auto& j : plan.join)
      if (j.fd && j.type == NamespaceType::User) join(j);
  }
  for (auto& j : plan.join)
    if (j.fd && !applies_to_children(j.type)) join(j);
}

bool is_private(const std::vector<spec::Namespace>& namespaces, NamespaceType t) {
  for (const auto& n : namespaces)
    if (n.type == t) return !n.path.has_value();
  return false;
}

}  // namespace hull::ns

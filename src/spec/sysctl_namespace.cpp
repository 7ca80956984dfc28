#include "spec/sysctl_namespace.hpp"

#include <array>
#include <string_view>

namespace hull::spec {
namespace {

std::string dotted(const std::string& key) {
  std::string k = key;
  if (k.find('/') != std::string::npos)
    for (char& c : k)
      if (c == '/') c = '.';
  return k;
}

// The IPC namespace's kernel.* keys (ipc/ipc_sysctl.c).
constexpr std::array<std::string_view, 8> kIpcKernelKeys = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                                            "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                                            "kernel.shmmni", "kernel.shm_rmid_forced"};

}  // namespace

std::optional<NamespaceType> sysctl_namespace(const std::string& key) {
  std::string k = dotted(key);
  if (k == "kernel.hostname" || k == "kernel.domainname") return NamespaceType::Uts;
  for (auto ipc : kIpcKernelKeys)
    if (k == ipc) return NamespaceType::Ipc;
  if (k.starts_with("fs.mqueue.") && k.size() > 10) return NamespaceType::Ipc;
  if (k.starts_with("net.") && k.size() > 4) return NamespaceType::Network;
  // The ucounts limits (user.max_user_namespaces, ...): each user namespace
  // has its own, as runc >= 1.5 sets them.
  if (k.starts_with("user.") && k.size() > 5) return NamespaceType::User;
  return std::nullopt;
}

const char* sysctl_namespace_name(NamespaceType type) {
  switch (type) {
    case NamespaceType::Uts: return "uts";
    case NamespaceType::Ipc: return "ipc";
    case NamespaceType::Network: return "network";
    case NamespaceType::User: return "user";
    default: return "?";
  }
}

}  // namespace hull::spec

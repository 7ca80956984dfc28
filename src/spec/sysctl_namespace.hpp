#pragma once
// Which namespace a linux.sysctl key belongs to: the one table both the
// config validator and the init's sysctl stage consult.
#include <optional>
#include <string>

#include "spec/spec.hpp"

namespace hull::spec {

// Uts, Ipc, Network or User; nullopt when the key is not namespaced (setting it
// would change the host, so it is refused). Accepts the dotted
// ("net.ipv4.ip_forward") and the slash form.
std::optional<NamespaceType> sysctl_namespace(const std::string& key);

// The namespace's name as a user writes it in linux.namespaces ("network").
const char* sysctl_namespace_name(NamespaceType type);

}  // namespace hull::spec

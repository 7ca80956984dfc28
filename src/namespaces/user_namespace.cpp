#include "namespaces/user_namespace.hpp"

#include <unistd.h>

#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"

namespace hull::ns {
namespace {

std::string map_text(const std::vector<spec::IDMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings)
    text += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
  return text;
}

// The kernel takes a whole map in one write(2), which write_file does.
void write_map(pid_t pid, const char* file, const char* field, const std::vector<spec::IDMapping>& mappings) {
  std::string path = std::to_string(pid) + "/" + file;
  with_context(std::string("write linux.") + field, [&] { procfs::write(path, map_text(mappings)); });
}

}  // namespace

void write_id_maps(pid_t pid, const std::vector<spec::IDMapping>& uid_mappings,
                   const std::vector<spec::IDMapping>& gid_mappings) {
  write_map(pid, "uid_map", "uidMappings", uid_mappings);
  write_map(pid, "gid_map", "gidMappings", gid_mappings);
}

void become_namespace_root() {
  if (::setresgid(0, 0, 0) < 0) throw_errno("become root of the user namespace: setresgid(0)");
  if (::setresuid(0, 0, 0) < 0) throw_errno("become root of the user namespace: setresuid(0)");
}

}  // namespace hull::ns

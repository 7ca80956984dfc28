#pragma once
// On-disk state of containers: <root>/<id>/state.json, one directory per
// container, guarded by a per-container flock so concurrent commands on one
// container serialise.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "runtime/state_machine.hpp"

namespace hull {

// state.json: the runtime-spec state (ociVersion, id, status, pid, bundle,
// annotations) plus hull's private fields.
struct ContainerState {
  std::string ociVersion = "1.3.0";
  std::string id;
  Status status = Status::Creating;  // last status a command recorded; see live_status()
  pid_t pid = 0;
  std::string bundle;                // absolute path
  std::map<std::string, std::string> annotations;
  // Private fields.
  uint64_t initStartTime = 0;        // field 22 of /proc/<pid>/stat at create
  std::string cgroupPath;
  std::string created;               // RFC 3339 with nanoseconds, UTC
  uid_t owner = 0;
  std::string rootfs;                // absolute path of the rootfs
  std::map<std::string, std::string> extra;  // other private string fields (later issues)
};

// The runtime-spec state JSON (`hull state` output and hook stdin).
std::string to_spec_state_json(const ContainerState& s);
// The full state.json text and back. Throws hull::Error on a corrupt file.
std::string to_state_file_json(const ContainerState& s);
ContainerState from_state_file_json(const std::string& text, const std::string& what);

// Validates a container id as runc does: non-empty, [A-Za-z0-9_+.-], not "." or
// "..", at most 1024 bytes. Throws e.g. `invalid container id "a/b": ...`.
void validate_container_id(std::string_view id);

// An open container directory with its lock held (released on destruction).
class ContainerDir {
 public:
  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }  // <root>/<id>
  int fd() const { return dirfd_.get(); }

  ContainerState read_state() const;
  void write_state(const ContainerState& s) const;   // temp file + rename
  // Removes the directory and everything in it; the object is then unusable.
  void remove();

 private:
  friend class StateStore;
  std::string id_, path_;
  UniqueFd dirfd_, lock_;
};

class StateStore {
 public:
  explicit StateStore(std::string root);  // default root is /run/hull
  const std::string& root() const { return root_; }

  // Exclusive mkdir of <root>/<id> (root made 0700 if missing) and lock it.
  // Throws `container "web" already exists` if present.
  ContainerDir create(std::string_view id) const;
  // Opens and locks an existing container. Throws `container "web" does not exist`.
  ContainerDir open(std::string_view id) const;
  // Ids of all containers (directories under root), sorted.
  std::vector<std::string> list_ids() const;

 private:
  std::string root_;
};

// Start time (clock ticks since boot, field 22 of /proc/<pid>/stat) and
// whether the process is a zombie. nullopt when the process does not exist.
struct ProcStat {
  uint64_t start_time = 0;
  char state = '?';
};
std::optional<ProcStat> read_proc_stat(pid_t pid);

// Status derived from the kernel: an init that is gone, a zombie, or a pid
// whose start time differs from the recorded one (reused pid) means Stopped;
// otherwise the recorded status (created/running/paused).
Status live_status(const ContainerState& s);

}  // namespace hull

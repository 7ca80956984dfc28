#pragma once
// state.json, the record of one container: its fields, its text and back,
// and the runtime-spec state (`hull state`, hooks' stdin) made from it.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>

#include "base/error.hpp"
#include "runtime/state_machine.hpp"

namespace hull {

// state.json: the runtime-spec state (ociVersion, id, status, pid, bundle,
// annotations) plus hull's private fields.
struct ContainerState {
  std::string ociVersion = "1.3.0";
  std::string id;
  Status status = Status::Creating;  // last status a command recorded; see live_status()
  pid_t pid = 0;
  std::string bundle;  // absolute path
  std::map<std::string, std::string> annotations;
  // Private fields.
  uint64_t initStartTime = 0;  // field 22 of /proc/<pid>/stat at create
  std::string cgroupPath;
  std::string created;  // RFC 3339 with nanoseconds, UTC
  uid_t owner = 0;
  std::string rootfs;                        // absolute path of the rootfs
  std::map<std::string, std::string> extra;  // other private string fields (later issues)
};

// The most a state.json (or the saved config beside it) may hold when hull
// writes it: far above what a container with many annotations needs, small
// enough that a damaged or hostile file cannot make every command read
// without end, and what every hull reads back (rolled back too).
constexpr size_t kMaxStateFileSize = 16 << 20;
// The most read: hulls before the eighty-eighth round wrote both indented,
// up to about 1.75 times a config within its cap (many small annotations),
// and such a container must still be managed and deleted.
constexpr size_t kMaxStateFileReadSize = 2 * kMaxStateFileSize;
// Refuses, EFBIG, a file hull is about to write that no hull could read
// back (what: "the state of container \"web\"", the saved config's path).
void check_fits_state_file_size(const std::string& what, size_t size, const std::string& hint = "");

// The runtime-spec state JSON: `hull state` prints it indented, hooks (and a
// seccomp agent) get it on one line.
std::string to_spec_state_json(const ContainerState& s);
std::string to_hook_state_json(const ContainerState& s);
// The state a restore's prestart and createRuntime hooks get at CRIU's
// setup-namespaces, as runc 1.1 gives it (measured, runc 1.1.5): status
// "stopped" (no init runs yet) and yet the restored init's pid.
std::string to_restore_hook_state_json(const ContainerState& s, pid_t restored);
// How much of a state.json a reader needs. Status leaves cgroupPath and
// extra empty (validated, not decoded): `state` and `list` show neither, and
// on a v1 host the cgroup paths are most of the file.
enum class StateFields { All, Status };

// The full state.json text and back. Throws hull::Error on a corrupt file.
std::string to_state_file_json(const ContainerState& s);
ContainerState from_state_file_json(const std::string& text, const std::string& what,
                                    StateFields fields = StateFields::All);

// Thrown when a container's state.json cannot be read as a state: nothing in
// it may be trusted, so `delete --force` removes the directory and touches no
// process or cgroup it might name (a damaged file could name a bystander's).
class CorruptState : public Error {
 public:
  using Error::Error;
};

// Thrown for a state.json in runc's own format (its "init_process_pid"
// where hull's "ociVersion" would be): Docker 20.10 gives every runtime
// runc's state root, so a container of runc's can sit beside hull's. It is
// that runtime's to manage: `delete --force` must not remove its record, as
// it removes a corrupt one, or runc could never find its processes again.
class OtherRuntimesState : public Error {
 public:
  using Error::Error;
};

// Throws CorruptState "corrupt state file <what>: <why>".
[[noreturn]] void throw_corrupt_state(const std::string& what, const std::string& why);

}  // namespace hull

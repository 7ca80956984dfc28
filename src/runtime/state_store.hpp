#pragma once
// On-disk state of containers: <root>/<id>/state.json, one directory per
// container, guarded by a per-container flock so concurrent commands on one
// container serialise.
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "runtime/container_id.hpp"
#include "runtime/state_file.hpp"
#include "runtime/state_machine.hpp"
#include "seccomp/program_cache.hpp"

namespace hull {

// The entry of the state root that holds compiled seccomp programs: '~' is
// in no container id, so list and every command by id pass it over.
inline constexpr const char* kSeccompCacheName = "~seccomp";
// The entry that holds the ids of loaded device filters (cgroups/device_filter_cache.hpp).
inline constexpr const char* kDeviceFilterCacheName = "~devices";
// The mount point in a container's state directory where restore binds the
// rootfs for CRIU: hull's own mount, unmounted by whoever removes the
// directory when a restore killed half-way left it.
inline constexpr const char* kCriuRootName = "criu-root";

// The name under the state root of a create's temporary directory for `id`
// (StateStore::create): "~creating-<id>", or for an id longer than 200 bytes
// "~creating-<first 180 bytes>~<16 hex digits of a hash of the whole id>".
std::string temp_name_for(const std::string& id);

// Removes the directory at `path` and all below it (nothing if it is gone),
// following no symlink and refusing a mount point inside, as a state dir is
// removed: a user-named overlay dir's <dir>/<id>.
void remove_directory_tree(const std::string& path);

// An open container directory with its lock held (released on destruction).
// The lock is flock(LOCK_EX) on the directory fd itself: no lock file to leak
// or to outlive the directory, and the kernel drops it if we die.
class ContainerDir {
 public:
  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }  // <root>/<id>
  int fd() const { return dirfd_.get(); }

  ContainerState read_state() const;
  void write_state(const ContainerState& s) const;  // temp file, swapped in (replace_file_at)
  // Removes the directory and everything in it, then releases the lock, so a
  // command that waited for it sees the container gone. The object is then
  // unusable. Refuses to descend into a mount point inside the directory.
  // `usual_files`: plain files the caller expects besides state.json, removed
  // by name; the directory is read only when something else is left.
  void remove(std::initializer_list<const char*> usual_files = {});

  // The lock let go and taken back around work that may itself call hull on
  // this container (poststart hooks: a `hull exec` in one waited for the
  // lock its caller held, for ever). Meanwhile other commands may act on the
  // container, or remove it: relock says whether its directory is still there.
  void unlock() const;
  bool relock() const;

 private:
  friend class StateStore;
  std::string id_, path_;
  UniqueFd dirfd_;  // O_DIRECTORY, holds the flock
};

// Thrown when a container id names no container (no directory, or one a
// create abandoned before writing state.json): `delete --force` treats it as
// success, as runc does, because clients (podman) clean up after a failed
// create without knowing how far it got.
class ContainerMissing : public Error {
 public:
  using Error::Error;
};

class StateStore {
 public:
  // Default root is /run/hull. Throws on an empty root (it would put
  // containers at /<id>); trailing slashes are dropped.
  explicit StateStore(std::string root);
  const std::string& root() const { return root_; }

  // Creates <root>/<id> (0700; root made 0700 if missing) and locks it. The
  // directory is made and locked under a temporary name and renamed into place
  // with RENAME_NOREPLACE, so no other command ever sees it unlocked and empty.
  // From its mkdir until it is locked, the state root's flock is held (as it
  // is by whoever judges a temporary directory found unlocked), so an
  // unlocked temporary directory is always a dead create's.
  // Throws `container "web" already exists` if present (checked first: then
  // nothing is made), or while another create of "web" is making it. A
  // leftover directory without state.json and without a lock holder (a
  // create that died before writing state), or a dead create's temporary
  // directory, is cleared and reused.
  ContainerDir create(std::string_view id) const;
  // Opens and locks an existing container, waiting for the current holder.
  // Throws `container "web" does not exist`, also when it was deleted while we
  // waited or holds no state.json.
  ContainerDir open(std::string_view id) const;
  // The recorded state of `id` without taking its lock, for read-only
  // commands (state, list) that must not queue behind a long-held lock.
  // state.json is only ever replaced whole (rename or exchange), so this
  // reads a whole file, possibly one version old. Throws `container "web" does not exist`.
  ContainerState peek(std::string_view id, StateFields fields = StateFields::All) const;
  // Clears what commands killed half-way left of `id` (for `delete --force`):
  // <root>/<id> without state.json that nobody holds locked (a delete killed
  // after removing state.json), and the temporary directory of a create of
  // `id` killed before renaming it into place ("~creating-<id>", one name
  // per id: nothing else in the root is read). A locked directory belongs to
  // a live command and is left alone.
  void clear_debris(std::string_view id) const;
  // Removes the container's directory whatever its state.json holds (for
  // `delete --force` of a corrupt one), unless a live command holds its lock.
  void remove_unreadable(std::string_view id) const;
  // Where compiled seccomp programs are kept (seccomp/program_cache.hpp):
  // <root>/~seccomp, under the root made as create makes it. No cache where
  // the root cannot be made or opened: no command fails over the cache.
  seccomp::CacheDir seccomp_cache() const;
  // Where the ids of loaded cgroup v2 device filters are kept
  // (cgroups/device_filter_cache.hpp): <root>/~devices, made by the first
  // filter kept.
  std::string device_filter_cache() const { return root_ + "/" + kDeviceFilterCacheName; }
  // Ids of all containers (directories under root whose names are valid ids),
  // sorted. No locks taken; a missing root means no containers. Keeps the
  // root open for the peeks that follow: list then looks up "<id>/state.json"
  // from it, not the root's whole path per container.
  std::vector<std::string> list_ids();
  // Where peek looks a container's directory up: from the root list_ids
  // keeps open ("<id>"), else by its whole path (AT_FDCWD, "<root>/<id>").
  std::pair<int, std::string> dir_lookup(std::string_view id) const;

 private:
  std::string root_;
  UniqueFd root_fd_;  // after list_ids
};

// Start time (clock ticks since boot, field 22 of /proc/<pid>/stat) and
// whether the process is a zombie. nullopt when the process does not exist.
struct ProcStat {
  uint64_t start_time = 0;
  char state = '?';
  uint64_t flags = 0;  // field 9: PF_EXITING (0x4) once the process is in exit
};
constexpr uint64_t kProcessExiting = 0x4;  // PF_EXITING, include/linux/sched.h
// `may_be_gone`: most pids asked about (by list) belong to stopped containers;
// false where the caller holds a pidfd for it, so it exists (maybe a zombie).
std::optional<ProcStat> read_proc_stat(pid_t pid, bool may_be_gone = true);
// The text of /proc/<pid>/cgroup; nullopt when the process does not exist.
std::optional<std::string> read_proc_cgroup(pid_t pid);
// Parses the text of /proc/<pid>/stat; `what` names it in errors. The command
// name may hold spaces and ')', so fields are counted after the LAST ')'.
ProcStat parse_proc_stat(std::string_view text, const std::string& what);

// Whether a SIGKILL was sent to the process and not yet acted on: bit 9 of
// SigPnd or ShdPnd in /proc/<pid>/status (the text given to the parser).
// A task the v1 freezer holds keeps it pending until thawed. false when the
// process is gone.
bool sigkill_pending(pid_t pid);
bool sigkill_pending_in_status(std::string_view status_text);
// The pid of the process tracing pid (TracerPid in /proc/<pid>/status): 0
// where none is, or pid is gone.
pid_t tracer_of(pid_t pid);

// Whether the process is the first of its pid namespace (the last NSpid
// field of /proc/<pid>/status is 1), whose end the kernel makes the end of
// every other process there. Not so for a container in its runtime's pid
// namespace or one joined by path (a pod's shared one): its init may go and
// leave its other processes running. true when the process is gone (nothing
// more to signal) or the kernel shows no NSpid.
bool leads_its_pid_namespace(pid_t pid);
bool leads_its_pid_namespace_in_status(std::string_view status_text);

// Status derived from the kernel: an init that is gone, a zombie, or a pid
// whose start time differs from the recorded one (reused pid) means Stopped;
// otherwise the recorded status (creating/created/running/paused). pid 0 means
// Stopped, except while Creating (the init may not be forked yet). Where
// it read the init's /proc/<pid>/stat, `init_state` (if given) gets its
// state letter ('S', 'T' for one stopped by a signal, ...).
Status live_status(const ContainerState& s, char* init_state = nullptr);

}  // namespace hull

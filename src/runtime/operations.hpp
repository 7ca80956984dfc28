#pragma once
// The container operations behind every CLI verb. The CLI parses argv into
// these option structs and calls one function; all work happens here so tests
// can call it directly. Every function throws hull::Error with context.
#include <sys/types.h>

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtime/state_store.hpp"

namespace hull {

struct GlobalOptions {
  std::string root = "/run/hull";
  bool systemd_cgroup = false;
  bool debug = false;
  // --criu: the CRIU binary checkpoint and restore run (runc's global flag;
  // containerd passes its CriuPath option this way before every command).
  std::string criu = "criu";
  // Rootless mode (runtime/rootless.hpp): --rootless, by default whether the
  // caller is not root. It decides the cgroups only (one the user may not
  // make is no error), as runc's flag does (RootlessCgroups). This and
  // unprivileged are set for create, run and exec only
  // (cli::resolve_rootless): no other command reads them, restore neither.
  bool rootless = false;
  // Whether the caller is not root on the host (euid not 0, or 0 in a user
  // namespace of its own), whatever --rootless says: what decides the acts
  // that need root there (opening the host's mounts for binds and id-mapped
  // mounts, a non-dumpable init before its maps), as runc's RootlessEUID.
  bool unprivileged = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;        // written before create returns
  std::string console_socket;  // AF_UNIX path receiving the pty master
  std::string pidfd_socket;    // AF_UNIX path receiving a pidfd of the init
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;  // fds 3 .. 3+N-1 are passed to the container
  // hull's overlay rootfs: root.path becomes a read-only lower layer; the
  // upper and work dirs live in overlay_dir (default: the state dir) and are
  // removed on delete. Also asked by the annotation org.hull.overlay-rootfs
  // ("true", or an absolute directory).
  bool overlay_rootfs = false;
  std::string overlay_dir;
  // From the runtime's environment (runtime/systemd_passthrough.hpp):
  // NOTIFY_SOCKET, and LISTEN_FDS when LISTEN_PID is ours. The listen fds are
  // passed first (3..3+listen_fds-1), then the preserve_fds ones, as runc does.
  std::string notify_socket;
  int listen_fds = 0;
  std::string listen_fdnames;
};

struct RunOptions {
  CreateOptions create;
  bool detach = false;
  bool keep = false;  // keep the stopped container (no delete after exit)
  // Attached, hull run is the child subreaper of the container's orphans
  // (those of a container without a pid namespace of its own) and reaps
  // them, as runc run is, unless --no-subreaper.
  bool no_subreaper = false;
};

// Sets up the container and leaves its init blocked before execve.
void create_container(const GlobalOptions& g, const CreateOptions& o);
// Releases a created container's init into the user process.
void start_container(const GlobalOptions& g, const std::string& id);
// create + start. Attached: waits, forwards signals, returns the exit code
// (128+signal when killed) and deletes the container unless keep. Detached: returns 0
// once the process runs.
int run_container(const GlobalOptions& g, const RunOptions& o);
// Sends sig to the init (all: to every process of the container).
void kill_container(const GlobalOptions& g, const std::string& id, int sig, bool all);
// Removes a stopped or created container; force also kills a running one.
void delete_container(const GlobalOptions& g, const std::string& id, bool force);
// Freezes every process of a running container (status "paused") / thaws a
// paused one (status "running").
void pause_container(const GlobalOptions& g, const std::string& id);
void resume_container(const GlobalOptions& g, const std::string& id);
struct UpdateOptions {
  std::string id;
  // -r: a linux.resources JSON file, "-" for stdin. When set, flags are ignored.
  std::string resources_file;
  // runc's update flags that were given, by long name without dashes
  // ("memory" -> "100m", "cpu-quota" -> "50000"), converted as runc does.
  std::map<std::string, std::string> flags;
  // --l3-cache-schema, --mem-bw-schema: lines for the container's resctrl
  // group (linux.intelRdt), given with -r too.
  std::optional<std::string> l3_cache_schema;
  std::optional<std::string> mem_bw_schema;
};
// New cgroup limits for a created, running or paused container; also
// recorded in the config saved at create.
void update_container(const GlobalOptions& g, const UpdateOptions& o);

// Pids of every process in the container's cgroups, sorted (ps --format json).
std::vector<pid_t> container_pids(const GlobalOptions& g, const std::string& id);
// `ps` of the host with ps_args (default -ef), its header line and only the
// lines of the container's processes (ps --format table).
std::string container_ps_table(const GlobalOptions& g, const std::string& id, std::vector<std::string> ps_args);
// The filtering step of container_ps_table: keeps the header and the lines
// whose PID column (found by name in the header) is one of pids. Throws when
// there is no PID column or a line's PID is not a number.
std::string filter_ps_table(const std::string& ps_output, const std::vector<pid_t>& pids);

struct EventsOptions {
  std::string id;
  bool stats = false;           // one stats event, then return
  std::string interval = "5s";  // Go duration syntax: 5s, 500ms, 1m30s
};
// Writes runc's event lines to the fd out: {"type":"stats","id":...,"data":{...}}
// every interval and {"type":"oom","id":...} on each OOM, until the
// container stops (with stats: one stats event).
void container_events(const GlobalOptions& g, const EventsOptions& o, int out);

// The runtime-spec state JSON with the live status.
std::string container_state_json(const GlobalOptions& g, const std::string& id);

struct ExecOptions {
  std::string id;
  std::string process_file;       // --process: a runtime-spec process JSON, used as is
  std::vector<std::string> args;  // otherwise: the command, on top of the container's process
  std::vector<std::string> env;   // -e KEY=VALUE, added to the container's env
  std::string cwd;
  std::string user;  // "uid[:gid]"
  std::vector<std::string> additional_gids;
  bool tty = false;
  std::string console_socket;
  std::string pidfd_socket;  // AF_UNIX path receiving a pidfd of the process
  bool detach = false;
  std::string pid_file;
  std::string process_label;
  std::string apparmor;
  // --no-new-privs[=bool]: when given, replaces the container's
  // noNewPrivileges either way, as runc does; unset keeps it.
  std::optional<bool> no_new_privs;
  std::vector<std::string> caps;  // added to every capability set
  int preserve_fds = 0;
  std::vector<std::string> cgroups;  // --cgroup [controller[,controller...]:]path, sub-cgroups of the container's
  bool ignore_paused = false;
};

// Runs another process in a running container. Attached: returns its exit
// code (128+signal when killed). Detached: returns 0 once it runs.
int exec_container(const GlobalOptions& g, const ExecOptions& o);

// What checkpoint and restore share: runc's flags of the same names, passed
// to CRIU (runtime/criu_args.hpp says how each one is spelled for it).
struct CriuOptions {
  std::string image_path;  // where the images go / come from; default ./checkpoint
  std::string work_path;   // CRIU's log and work files; default the image path
  bool tcp_established = false;
  bool ext_unix_sk = false;
  bool shell_job = false;
  bool file_locks = false;
  bool auto_dedup = false;
  bool lazy_pages = false;
  std::string manage_cgroups_mode;    // soft, full, strict or ignore; "" is soft
  std::vector<std::string> empty_ns;  // namespaces created but not restored: "network"
};

struct CheckpointOptions {
  std::string id;
  CriuOptions criu;
  std::string parent_path;  // images of a previous (pre-)dump, relative to image_path
  bool leave_running = false;
  bool pre_dump = false;    // memory only; the container keeps running
  // runc 1.3's: CRIU's --skip-in-flight (drop TCP connections not yet
  // accepted) and --link-remap (an open file whose name was unlinked while
  // another hard link remains is linked back under a temporary name).
  bool tcp_skip_in_flight = false;
  bool link_remap = false;
  std::string page_server;  // ADDRESS:PORT of a CRIU page server receiving the pages
  int status_fd = -1;       // --lazy-pages: CRIU writes \0 to it once the page server is ready
};
// Dumps a running or paused container with CRIU into image_path. Afterwards
// the container is removed (its processes are gone: CRIU killed them),
// unless leave_running or pre_dump.
void checkpoint_container(const GlobalOptions& g, const CheckpointOptions& o);

struct RestoreOptions {
  std::string id;
  CriuOptions criu;
  std::string bundle = ".";
  std::string pid_file;
  std::string console_socket;  // a terminal container: where its new pty master goes
  bool detach = false;
  bool no_subreaper = false;
  bool no_pivot = false;  // accepted as runc does: CRIU rebuilds the mount tree itself
  // Passed to CRIU as given (podman restores pods on SELinux hosts with them):
  // the restored processes' profile, "TYPE:NAME" (apparmor:x, selinux:y),
  // and the context of the mounts CRIU restores.
  std::string lsm_profile;
  std::string lsm_mount_context;
};
// Restores the images into a new container `id` (status running, the
// restored init's pid and start time in state.json). Attached: waits for the
// init, returns its exit code and deletes the container; detached: returns 0.
int restore_container(const GlobalOptions& g, const RestoreOptions& o);

struct ContainerSummary {
  ContainerState state;  // status already live
};
std::vector<ContainerSummary> list_containers(const GlobalOptions& g);

// Parses a signal as runc does: "KILL", "SIGKILL", "9". Throws on unknown names.
int parse_signal(const std::string& s);

}  // namespace hull

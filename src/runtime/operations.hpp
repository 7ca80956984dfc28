#pragma once
// The container operations behind every CLI verb. The CLI parses argv into
// these option structs and calls one function; all work happens here so tests
// can call it directly. Every function throws hull::Error with context.
#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/state_store.hpp"

namespace hull {

struct GlobalOptions {
  std::string root = "/run/hull";
  bool systemd_cgroup = false;
  bool debug = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle = ".";
  std::string pid_file;        // written before create returns
  std::string console_socket;  // AF_UNIX path receiving the pty master
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;        // fds 3 .. 3+N-1 are passed to the container
  // hull's overlay rootfs: root.path becomes a read-only lower layer; the
  // upper and work dirs live in overlay_dir (default: the state dir) and are
  // removed on delete. Also asked by the annotation org.hull.overlay-rootfs
  // ("true", or an absolute directory).
  bool overlay_rootfs = false;
  std::string overlay_dir;
};

struct RunOptions {
  CreateOptions create;
  bool detach = false;
  bool keep = false;           // keep the stopped container (no delete after exit)
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
// The runtime-spec state JSON with the live status.
std::string container_state_json(const GlobalOptions& g, const std::string& id);

struct ExecOptions {
  std::string id;
  std::string process_file;            // --process: a runtime-spec process JSON, used as is
  std::vector<std::string> args;       // otherwise: the command, on top of the container's process
  std::vector<std::string> env;        // -e KEY=VALUE, added to the container's env
  std::string cwd;
  std::string user;                    // "uid[:gid]"
  std::vector<std::string> additional_gids;
  bool tty = false;
  std::string console_socket;
  bool detach = false;
  std::string pid_file;
  std::string process_label;
  std::string apparmor;
  bool no_new_privs = false;
  std::vector<std::string> caps;       // added to every capability set
  int preserve_fds = 0;
  std::string cgroup;                  // [controller:]path, a sub-cgroup of the container's
  bool ignore_paused = false;
};

// Runs another process in a running container. Attached: returns its exit
// code (128+signal when killed). Detached: returns 0 once it runs.
int exec_in_container(const GlobalOptions& g, const ExecOptions& o);

struct ContainerSummary {
  ContainerState state;   // status already live
};
std::vector<ContainerSummary> list_containers(const GlobalOptions& g);

// Parses a signal as runc does: "KILL", "SIGKILL", "9". Throws on unknown names.
int parse_signal(const std::string& s);

}  // namespace hull

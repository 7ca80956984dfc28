#pragma once
// Shared by create and run: building a container up to the start barrier,
// and releasing it.
#include <sys/types.h>

#include <functional>
#include <optional>

#include "base/unique_fd.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/resctrl.hpp"
#include "process/terminal_proxy.hpp"
#include "runtime/operations.hpp"
#include "runtime/owned_cgroup.hpp"
#include "runtime/state_store.hpp"
#include "runtime/sync_channel.hpp"
#include "spec/spec.hpp"

namespace hull {

struct CreatedContainer {
  ContainerDir dir;      // locked
  ContainerState state;  // as written (status created)
  spec::Spec spec;
  UniqueFd pidfd;  // the init, a child of this process
  // Attached with process.terminal and no --console-socket: our end of the
  // socketpair the init sends its pty master over (hull run proxies it).
  UniqueFd console_receiver;
  // StartFollows::Now: the runtime's end of the sync channel, on which the
  // init waits for Start (start_locked sends it)...
  SyncChannel init_channel;
  // ...unless it was sent already, with the "running" record, before the
  // init was ready (no runtime hooks): then run only waits for its execve.
  bool init_released = false;
  // InitPlan::stdio.pipes: our ends, for hull run to copy (process::proxy_stdio).
  std::optional<process::StdioPipes> stdio_pipes;
};

// A container opened under its lock, with its live status.
struct OpenedContainer {
  ContainerDir dir;
  ContainerState state;
  Status status;
  char init_state = '?';  // the init's state letter in /proc/<pid>/stat, as read for `status`
};
OpenedContainer open_container(const GlobalOptions& g, const std::string& id);

// poststop hooks, with the state of the stopped container (pid 0), in its
// bundle directory, or the caller's when the bundle is gone (as runc, which
// runs them in delete's): a cleanup hook is not lost with the bundle.
void run_poststop_hooks(const std::vector<spec::Hook>& poststop, const ContainerState& state);

// A frozen task acts on SIGKILL only once thawed (v1 freezer): after sending
// SIGKILL to a paused container, thaw it so the signal is delivered (as runc);
// also a running one, whose cgroup a killed `hull pause` may have left frozen.
// Call before the kill and thaw_v1_freezer() what it returns (null: nothing)
// after, which thaws the sub-cgroups the container froze itself too: the
// cgroup's ownership is checked now, while the init that vouches for an
// unmarked cgroup lives.
cgroups::Manager* cgroup_to_thaw_after_kill(ContainerCgroup& cgroup, Status status, int sig);

// Throws when the cgroup is frozen behind a status that is not "paused" (a
// pause killed between its freeze and its record, or a freeze from outside
// hull, of the cgroup or a parent): a process started or released in it
// would be frozen, and the command waiting for it would wait for ever.
void refuse_frozen_cgroup(const cgroups::Manager& cg, Status status);

// create (and run): everything up to the init waiting at the start barrier,
// as named steps in runtime/create.cpp (read, plan, open, state dir, launch,
// handshake, record). On error nothing is left behind (no state dir, no
// process, no cgroup). With StartFollows::Now (run, which starts the
// container at once under the same lock), the "created" state is not
// written: "running" replaces the "creating" one directly, a state.json
// write less. Without runtime hooks it is written, and the init released,
// while the init still sets up (init_released); otherwise by start_locked.
// A run killed before the release leaves what a create killed before its
// record leaves (the init dies with it: it keeps its parent-death signal
// until it has Start), one killed after it a running container. Nor is
// start.sock made: the init waits for Start on the sync channel.
enum class StartFollows { Later, Now };
CreatedContainer create_to_start_barrier(const GlobalOptions& g, const CreateOptions& o, bool attached,
                                         StartFollows start = StartFollows::Later);

// The record of a container create or restore is making (status creating,
// created now, owned by us), before its cgroup and extras are added.
ContainerState new_container_state(const std::string& id, const std::string& bundle, const std::string& rootfs,
                                   const spec::Spec& spec);

// create's and restore's resctrl groups, once state.json records them
// (resctrl::plan_new_container, so a killed command leaves a state delete
// can use): made or checked (resctrl::make), `undo` set to remove what was
// made unless kept.
void make_resctrl_groups(const resctrl::Groups& groups, const spec::IntelRdt& rdt, std::optional<resctrl::Undo>& undo);

// create's and restore's record of the cgroup parents they make (the first
// container of a new cgroupsPath parent), in state.json before each mkdir
// (cgroups::Manager::record_parents_with): one killed after it leaves a
// state naming them, and delete --force removes them. st and dir outlive
// cgroup's work.
void record_cgroup_parents_before_making(cgroups::Manager& cgroup, ContainerState& st, const ContainerDir& dir);

// start on a locked container, `observed` its status as read under the
// lock (open_container), `init_state` its init's state letter then:
// records running, releases the init (over init_channel when `run` made
// it, else through start.sock).
void start_locked(ContainerDir& dir, ContainerState& state, Status observed, const SyncChannel* init_channel = nullptr,
                  char init_state = '?');

// What fails once the state machine let a start go on is "start container
// <id>: ...", except within `run`, whose own context names the container.
enum class StartContext { Start, WithinRun };

// runtime.md: poststart hooks run after the process started; a failure is
// an error, and the container is stopped (its delete goes on as for any
// stopped container). They run with the container unlocked, so that a hook
// may call hull on it (exec, kill), as under runc, which has no lock across
// commands; on failure the lock is taken back and, unless another command
// removed the container meanwhile, `stop` runs before the error goes on.
void run_poststart_hooks(const ContainerDir& dir, const ContainerState& state, const spec::Hooks& hooks,
                         StartContext context, const std::function<void()>& stop);

// The config.json saved in the state dir at create.
inline constexpr const char* kSavedConfigName = "config.json";
// state.json private field: an overlay upper/work directory outside the state dir.
inline constexpr const char* kOverlayDirKey = "overlayDir";
// state.json private field: how many fds from 3 on the init was given
// (LISTEN_FDS + --preserve-fds), for `hull verify`'s open-fd check.
inline constexpr const char* kPreserveFdsKey = "preserveFds";
// state.json private field: the binary (process::own_binary_identity) an
// init made by `run` runs unsealed until its execve
// (InitPlan::init_unsealed_until_exec); removed once `run` saw the execve.
inline constexpr const char* kUnsealedInitKey = "unsealedInit";
// state.json private field: "true" for a container created with
// --no-new-keyring, whose exec processes keep their caller's session keyring too.
inline constexpr const char* kNoNewKeyringKey = "noNewKeyring";
// state.json private field: "none" when the container's config has no hooks,
// so start and delete need not read the saved config for them.
inline constexpr const char* kHooksKey = "hooks";
bool recorded_without_hooks(const ContainerState& state);
spec::Spec load_saved_config(const ContainerDir& dir);
// A config hull rewrites before it saves it (create and restore, for mount
// destinations given below the rootfs; update; restore, for CRIU's time
// namespace) is refused, EFBIG, before it is written when the commands
// after could not read it back. Rewritten compact: indented, a config
// within its cap could grow past it; a float (1e9) still grows.
void check_saved_config_fits(const std::string& text, const std::string& path);
// Its hooks only, for start and delete: none when the state says so (above);
// a config without a "hooks" member (most of the rest: those of an older
// hull) is checked to be JSON but not parsed into a spec::Spec.
spec::Hooks load_saved_hooks(const ContainerDir& dir, const ContainerState& state);

// Removes a container whose init is gone or killed: what is left in its
// cgroups, the cgroups, the state dir; then runs the poststop hooks.
// The second form reuses the cgroup the caller already checked.
void destroy_container(ContainerDir& dir, const ContainerState& state, const spec::Hooks& hooks);
void destroy_container(ContainerDir& dir, const ContainerState& state, const spec::Hooks& hooks,
                       ContainerCgroup& cgroup);

// The end of an attached run or restore: a forced delete of the container
// whose init this command made (own: the state it wrote) and has reaped.
// hooks: the ones the command holds; null: read from the saved config. A
// container deleted meanwhile is gone already; if a new one took the id
// since, its state names another init, and it is left alone.
void delete_own_container(const GlobalOptions& g, const ContainerState& own, const spec::Hooks* hooks);

}  // namespace hull

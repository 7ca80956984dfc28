// pause and resume: freeze / thaw the container's cgroup and record the
// status, so `state`, `exec` and `kill` see "paused" until resumed. A created
// container can be paused too (as in runc): its init, frozen while it waits
// for `start`, is created again once resumed.
#include <csignal>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/log.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/operations.hpp"
#include "runtime/owned_cgroup.hpp"

namespace hull {

namespace {

// A pause or resume whose status could not be recorded (a full --root
// disk) undoes its freeze or thaw: the record, which start, exec and kill
// go by, stays true. A frozen cgroup behind a record that does not say
// "paused" is what a start or an exec would wait on for ever; a thawed one
// behind "paused" ran while exec refused it as paused.
void undo_after_failure(cgroups::Manager& cg, const std::string& id, Operation op) {
  try {
    if (op == Operation::Pause)
      cg.thaw();
    else
      cg.freeze();
  } catch (const Error& e) {
    log::warn(std::string(to_string(op)) + " container " + quote(id) + ": its cgroup is left " +
              (op == Operation::Pause ? "frozen" : "thawed") + ": " + e.what());
  }
}

// resume of a container recorded running or created whose cgroup is frozen
// (by hand, or by a pause killed before it recorded "paused"): runc, which
// reads its status off the freezer, calls it paused and thaws it. So does
// hull, keeping the recorded status. Whether it did.
bool thawed_behind_its_record(OpenedContainer& c) {
  if (c.state.cgroupPath.empty() || (c.status != Status::Running && c.status != Status::Created)) return false;
  return with_context("resume container " + quote(c.state.id), [&] {
    ContainerCgroup cgroup(c.dir, c.state);
    cgroups::Manager& cg = cgroup.init_cgroup();
    if (!cg.frozen()) return false;
    cg.thaw();
    return true;
  });
}

// Freezes (pause) or thaws (resume) the cgroup, then records the new status.
void set_frozen(const GlobalOptions& g, const std::string& id, Operation op) {
  OpenedContainer c = open_container(g, id);
  if (op == Operation::Resume && thawed_behind_its_record(c)) return;
  Status next = require_transition(id, c.status, op);
  const char* verb = to_string(op);
  bool being_killed = with_context(std::string(verb) + " container " + quote(id), [&] {
    if (c.state.cgroupPath.empty()) throw Error("it has no cgroup");
    ContainerCgroup cgroup(c.dir, c.state);
    cgroups::Manager& cg = cgroup.owned();
    if (op == Operation::Pause) {
      cg.freeze();
      // A SIGKILL sent just before the freeze (a concurrent kill) is not
      // acted on while frozen (v1 freezer): the init would stay frozen,
      // "paused", never dying. A container being killed is not paused.
      if (live_status(c.state) == Status::Stopped || sigkill_pending(c.state.pid)) {
        cg.thaw();
        return true;
      }
    } else {
      try {
        cg.thaw();
      } catch (const cgroups::FrozenAbove&) {
        // Its own freeze went with the write; the container stays paused as
        // recorded, not running unrecorded once the cgroup above thaws.
        try {
          cg.freeze();
        } catch (const Error& e) {
          log::warn("resume container " + quote(id) + ": freeze its cgroup again: " + e.what());
        }
        throw;
      }
    }
    fault_point("freeze-after-cgroup");
    c.state.status = next;
    try {
      c.dir.write_state(c.state);
    } catch (const Error&) {
      undo_after_failure(cg, id, op);
      throw;
    }
    return false;
  });
  // Worded as the state machine's refusals are: the container is on its way
  // to "stopped", a state pause does not accept.
  if (being_killed)
    throw Error("cannot pause container " + quote(id) + ": it is being killed (SIGKILL sent, not yet acted on)");
}

}  // namespace

void pause_container(const GlobalOptions& g, const std::string& id) { set_frozen(g, id, Operation::Pause); }

void resume_container(const GlobalOptions& g, const std::string& id) { set_frozen(g, id, Operation::Resume); }

void refuse_frozen_cgroup(const cgroups::Manager& cg, Status status) {
  if (!cg.frozen()) return;
  const std::string above = cg.frozen_ancestor();
  throw Error("the container's cgroup is frozen while its status is " + std::string(to_string(status)) +
              (above.empty() ? " (a pause was interrupted, or the cgroup was frozen outside hull): resume it, or delete it"
                             : ": " + above + " above it is frozen, from outside hull, and holds it frozen: thaw it there"));
}

cgroups::Manager* cgroup_to_thaw_after_kill(ContainerCgroup& cgroup, Status status, int sig) {
  // Running and created too: a `hull pause` killed between the freeze and
  // recording "paused" leaves a frozen cgroup behind such a state, and a SIGKILL
  // that is never delivered hung delete --force (found by the fault test
  // freeze-after-cgroup).
  // On v2 the SIGKILL acts on frozen processes, and a write of cgroup.freeze
  // takes cgroup_mutex, the lock every cgroup removal on the host queues
  // behind: a forced delete would wait for it once more than its rmdir does.
  const bool may_be_frozen = is_paused(status) || status == Status::Running || status == Status::Created;
  if (sig != SIGKILL || !may_be_frozen || !cgroup.named() || !cgroup.sigkill_waits_for_thaw()) return nullptr;
  return &cgroup.init_cgroup();
}

}  // namespace hull

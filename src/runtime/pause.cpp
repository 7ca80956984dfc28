// pause and resume: freeze / thaw the container's cgroup and record the
// status, so `state`, `exec` and `kill` see "paused" until resumed.
#include <csignal>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/operations.hpp"

namespace hull {

namespace {

cgroups::Manager container_cgroup(const ContainerState& st, const char* what) {
  if (st.cgroupPath.empty()) throw Error("cannot " + std::string(what) + " container " + quote(st.id) + ": it has no cgroup");
  return cgroups::Manager::load(st.cgroupPath);
}

}  // namespace

void pause_container(const GlobalOptions& g, const std::string& id) {
  OpenedContainer c = open_container(g, id);
  Status next = require_transition(id, c.status, Operation::Pause);
  with_context("pause container " + quote(id), [&] {
    container_cgroup(c.state, "pause").freeze();
    c.state.status = next;
    c.dir.write_state(c.state);
  });
}

void resume_container(const GlobalOptions& g, const std::string& id) {
  OpenedContainer c = open_container(g, id);
  Status next = require_transition(id, c.status, Operation::Resume);
  with_context("resume container " + quote(id), [&] {
    container_cgroup(c.state, "resume").thaw();
    c.state.status = next;
    c.dir.write_state(c.state);
  });
}

void thaw_if_paused(const ContainerState& state, Status status, int sig) {
  if (sig != SIGKILL || status != Status::Paused || state.cgroupPath.empty()) return;
  cgroups::Manager::load(state.cgroupPath).thaw();
}

}  // namespace hull

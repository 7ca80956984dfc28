// ps: the container's processes, as pids (json) or as the host's ps table
// filtered to them (runc's behaviour: header kept, PID column found by name).
#include <algorithm>
#include <sstream>

#include "base/error.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/ownership.hpp"
#include "runtime/operations.hpp"
#include "runtime/owned_cgroup.hpp"
#include "runtime/start_barrier.hpp"
#include "runtime/subprocess.hpp"

namespace hull {

namespace {

std::vector<std::string> fields_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

}  // namespace

std::vector<pid_t> container_pids(const GlobalOptions& g, const std::string& id) {
  // No lock, like `state`: a listing must not queue behind a long exec.
  validate_container_id(id);
  StateStore store(g.root);
  ContainerState st = peek_created(store, id);
  // runc fails here too: without a cgroup there is no list of its processes.
  if (st.cgroupPath.empty())
    throw Error("list the processes of container " + quote(id) +
                ": it has no cgroup to find them in (a rootless container without a cgroup the user may write)");
  cgroups::Manager cg = cgroups::Manager::load(st.cgroupPath);
  // A stopped container's cgroupsPath may have been given to a container
  // made since, which marked the cgroup as its own: what runs there is
  // that one's (runc lists it as this one's).
  if (st.status == Status::Stopped &&
      cgroups::ownership(cg.paths(), cgroup_owner_tag(store, id)) == cgroups::Ownership::Foreign)
    return {};
  std::vector<pid_t> pids = cg.pids();
  // Its init lives, so the cgroup should hold it at least: an empty answer
  // would say "no processes" of a container that runs.
  if (pids.empty() && (st.status == Status::Created || st.status == Status::Running || st.status == Status::Paused) &&
      live_status(st) != Status::Stopped) {
    const std::string pid = std::to_string(st.pid);
    throw Error("list the processes of container " + quote(id) + ": its init (pid " + pid + ") runs, but its cgroup " +
                st.cgroupPath +
                " holds no process (moved out, or the cgroup renamed or removed, by hand?): `cat /proc/" + pid +
                "/cgroup` shows where it runs");
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

std::string filter_ps_table(const std::string& ps_output, const std::vector<pid_t>& pids) {
  size_t end = ps_output.find('\n');
  std::string header = ps_output.substr(0, end);
  std::vector<std::string> titles = fields_of(header);
  auto column = std::find(titles.begin(), titles.end(), "PID");
  if (column == titles.end()) throw Error("couldn't find PID field in ps output");
  size_t index = static_cast<size_t>(column - titles.begin());
  std::string out = header + "\n";
  while (end != std::string::npos) {
    size_t start = end + 1;
    end = ps_output.find('\n', start);
    std::string line = ps_output.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (line.empty()) continue;
    std::vector<std::string> fields = fields_of(line);
    long pid = -1;
    try {
      size_t used = 0;
      if (index < fields.size()) {
        pid = std::stol(fields[index], &used);
        if (used != fields[index].size()) pid = -1;
      }
    } catch (const std::logic_error&) {}
    if (pid < 0) throw Error("unable to parse pid in ps output line " + quote(line));
    if (std::find(pids.begin(), pids.end(), static_cast<pid_t>(pid)) != pids.end()) out += line + "\n";
  }
  return out;
}

std::string container_ps_table(const GlobalOptions& g, const std::string& id, std::vector<std::string> ps_args) {
  std::vector<pid_t> pids = container_pids(g, id);
  if (ps_args.empty()) ps_args = {"-ef"};
  ps_args.insert(ps_args.begin(), "ps");
  return with_context("ps container " + quote(id), [&] { return filter_ps_table(run_and_capture(ps_args), pids); });
}

}  // namespace hull

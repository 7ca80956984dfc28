#include "cgroups/self_placement.hpp"

#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "cgroups/host.hpp"

namespace hull::cgroups {

void V1SelfPlacement::add(const std::string& hierarchy, const std::string& dir, bool open_now) {
  Tasks t{hierarchy, ValueWriter(dir, "tasks")};
  if (open_now) with_context("join cgroup " + dir, [&] { t.writer.open(); });
  auto at = tasks_.end();
  if (!hierarchy_holds(hierarchy, "freezer") && !tasks_.empty() && hierarchy_holds(tasks_.back().hierarchy, "freezer"))
    --at;
  tasks_.insert(at, std::move(t));
}

std::vector<int> V1SelfPlacement::fds() const {
  std::vector<int> out;
  for (const auto& t : tasks_) out.push_back(t.writer.fd());
  return out;
}

void V1SelfPlacement::adopt(std::vector<UniqueFd> files) {
  if (files.size() != tasks_.size())
    throw Error("sync protocol: " + std::to_string(files.size()) + " tasks files for " + std::to_string(tasks_.size()) +
                " v1 hierarchies");
  for (size_t i = 0; i < files.size(); ++i) tasks_[i].writer.adopt(std::move(files[i]));
}

void V1SelfPlacement::move_self() {
  move_self_leaving_files();
  for (auto& t : tasks_) t.writer.close();
}

void V1SelfPlacement::move_self_leaving_files() { write_each("0"); }

void V1SelfPlacement::move(pid_t pid) { write_each(std::to_string(pid)); }

void V1SelfPlacement::write_each(const std::string& value) {
  // Each error names its cgroup: a move can fail for reasons of that one
  // (a cpuset without cpus or mems: ENOSPC).
  for (auto& t : tasks_) {
    try {
      t.writer.write(value);
    } catch (const Error& e) {
      // A realtime task joins a v1 cpu cgroup only where that has realtime
      // time of its own (cpu.rt_runtime_us, 0 in a new one); the policy is
      // the caller's, inherited (`chrt -f`, a realtime service).
      if (e.code() != EINVAL || !hierarchy_holds(t.hierarchy, "cpu")) throw;
      throw Error(e.message() +
                      " (a realtime task: SCHED_FIFO or SCHED_RR, inherited from hull's caller, needs the cgroup's "
                      "cpu.rt_runtime_us above 0, and each cgroup above it up to the hierarchy's root too: give "
                      "linux.resources.cpu.realtimeRuntime (and the parents' cpu.rt_runtime_us), or start hull with a "
                      "normal scheduling policy)",
                  EINVAL);
    }
  }
}

}  // namespace hull::cgroups

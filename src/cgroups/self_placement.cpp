#include "cgroups/self_placement.hpp"

#include <utility>

#include "base/error.hpp"
#include "cgroups/host.hpp"

namespace hull::cgroups {

void V1SelfPlacement::add(const std::string& hierarchy, const std::string& dir) {
  Tasks t{hierarchy, ValueWriter(dir, "tasks")};
  with_context("join cgroup " + dir, [&] { t.writer.open(); });
  auto at = tasks_.end();
  if (!hierarchy_holds(hierarchy, "freezer") && !tasks_.empty() && hierarchy_holds(tasks_.back().hierarchy, "freezer"))
    --at;
  tasks_.insert(at, std::move(t));
}

void V1SelfPlacement::move_self() {
  // Each error names its cgroup: a move can fail for reasons of that one
  // (a cpuset without cpus or mems: ENOSPC).
  for (auto& t : tasks_) {
    t.writer.write("0");
    t.writer.close();
  }
}

}  // namespace hull::cgroups

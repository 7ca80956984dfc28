#include "cgroups/routing.hpp"

#include <algorithm>
#include <iterator>
#include <string_view>

#include "base/error.hpp"

namespace hull::cgroups {

namespace {
// Controllers cgroup v2 knows; a unified key with another prefix
// ("cgroup.max.depth", "memory.pressure"-like core files) needs none enabled.
// A constant array, not a std::set: no static constructor before main().
constexpr std::string_view kV2Controllers[] = {"cpu", "cpuset", "io", "memory", "hugetlb", "pids", "rdma", "misc"};

bool is_v2_controller(std::string_view name) {
  return std::find(std::begin(kV2Controllers), std::end(kV2Controllers), name) != std::end(kV2Controllers);
}
}  // namespace

std::string Router::v1_dir(const std::string& controller) const { return cgroups::v1_dir(paths_, controller); }

Router::Target Router::route(const char* field, const char* v1_name, const char* v2_name) const {
  if (host_.mode != Mode::Unified && v1_name) {
    std::string dir = v1_dir(v1_name);
    if (!dir.empty()) return {false, dir};
  }
  if (host_.mode != Mode::Legacy && v2_name && !paths_.v2.empty() && host_.v2_available(v2_name))
    return {true, paths_.v2};
  std::string what;
  if (!v2_name)
    what = std::string("the ") + quote(v1_name) + " cgroup v1 controller (it has no cgroup v2 equivalent)";
  else if (!v1_name || host_.mode == Mode::Unified)
    what = std::string("the cgroup v2 controller ") + quote(v2_name);
  else
    what = std::string("the ") + quote(v1_name) + " controller";
  throw Error(std::string("linux.resources.") + field + " needs " + what +
              ", which this host does not offer: " + host_.describe());
}

void Router::walk(const spec::Resources& r, const ApplyOptions* o, std::set<std::string>* v2_needed) const {
  // Routes one resource group and, when applying, calls the v1 or v2 writer.
  auto each = [&](const char* field, const char* v1_name, const char* v2_name, auto&& write_v1, auto&& write_v2) {
    Target t = route(field, v1_name, v2_name);
    if (t.v2 && v2_needed) v2_needed->insert(v2_name);
    if (!o) return;
    try {
      if (t.v2)
        write_v2(t.dir);
      else
        write_v1(t.dir);
    } catch (Error& e) {
      // A value the kernel refuses ("write 2147483648 to .../cpu.cfs_period_us:
      // invalid argument") is named by the config's field too, unless the
      // writer named it already.
      if (!e.message().starts_with("linux.resources.")) e.add_context(std::string("linux.resources.") + field);
      throw;
    }
  };
  if (r.memory)
    each(
        "memory", "memory", "memory", [&](auto& d) { v1::set_memory(d, *r.memory, *o); },
        [&](auto& d) { v2::set_memory(d, *r.memory, *o); });
  if (r.cpu && has_cpu_fields(*r.cpu))
    each(
        "cpu", "cpu", "cpu", [&](auto& d) { v1::set_cpu(d, *r.cpu); }, [&](auto& d) { v2::set_cpu(d, *r.cpu, *o); });
  if (r.cpu && has_cpuset_fields(*r.cpu))
    each(
        "cpu.cpus/mems", "cpuset", "cpuset", [&](auto& d) { write_cpuset(d, *r.cpu); },
        [&](auto& d) { write_cpuset(d, *r.cpu); });
  if (r.pids)
    each(
        "pids", "pids", "pids", [&](auto& d) { v1::set_pids(d, *r.pids); }, [&](auto& d) { v2::set_pids(d, *r.pids); });
  if (r.blockIO)
    each(
        "blockIO", "blkio", "io", [&](auto& d) { v1::set_blkio(d, *r.blockIO); },
        [&](auto& d) { v2::set_io(d, *r.blockIO, *o); });
  if (!r.hugepageLimits.empty())
    each(
        "hugepageLimits", "hugetlb", "hugetlb", [&](auto& d) { v1::set_hugetlb(d, r.hugepageLimits); },
        [&](auto& d) { v2::set_hugetlb(d, r.hugepageLimits); });
  if (!r.rdma.empty())
    each(
        "rdma", "rdma", "rdma", [&](auto& d) { v1::set_rdma(d, r.rdma); }, [&](auto& d) { v2::set_rdma(d, r.rdma); });
  if (r.network && r.network->classID)
    each(
        "network.classID", "net_cls", nullptr, [&](auto& d) { v1::set_net_cls(d, *r.network->classID); }, [](auto&) {});
  if (r.network && !r.network->priorities.empty())
    each(
        "network.priorities", "net_prio", nullptr, [&](auto& d) { v1::set_net_prio(d, r.network->priorities); },
        [](auto&) {});
  if (!r.unified.empty()) {
    if (paths_.v2.empty())
      throw Error("linux.resources.unified needs cgroup v2, which this host does not have: " + host_.describe());
    for (const auto& [key, value] : r.unified) {
      v2::check_unified_key(key);
      std::string prefix = key.substr(0, key.find('.'));
      if (!is_v2_controller(prefix)) continue;
      if (!host_.v2_available(prefix))
        throw Error("linux.resources.unified: " + quote(key) + " needs the cgroup v2 controller " + quote(prefix) +
                    ", which this host does not offer: " + host_.describe());
      if (v2_needed) v2_needed->insert(prefix);
    }
    // Written last: the spec's unified values override the converted ones.
    if (o) v2::set_unified(paths_.v2, r.unified);
  }
}

}  // namespace hull::cgroups

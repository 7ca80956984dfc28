// Cgroup limits: every linux.resources value in force in the cgroup files of
// the hierarchy that carries it (v1 or v2, as hull chose at create), and the
// current usage within the limit. Values the kernel rounds (memory to pages)
// hold when they are the configured value rounded down.
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "base/error.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/convert.hpp"
#include "cgroups/resources.hpp"
#include "cgroups/unset_values.hpp"
#include "runtime/verify/target.hpp"

namespace hull::verify {

namespace {

using Dir = CgroupDir;

constexpr uint64_t kUnlimited = uint64_t{1} << 62;  // v1 shows "unlimited" as LONG_MAX rounded down to a page

// "max" and v1's huge values as nullopt, else the number.
std::optional<uint64_t> parse_limit(const std::string& text) {
  if (text == "max" || text == "-1") return std::nullopt;
  try {
    uint64_t v = std::stoull(text);
    if (v >= kUnlimited) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    throw Error("not a number: " + quote(text));
  }
}

std::string show(std::optional<uint64_t> v) { return v ? std::to_string(*v) : "max"; }

// "0-2,4" -> {0,1,2,4}.
std::set<unsigned> parse_list(const std::string& text) {
  std::set<unsigned> out;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    if (part.empty()) continue;
    size_t dash = part.find('-');
    unsigned lo = std::stoul(part.substr(0, dash));
    unsigned hi = dash == std::string::npos ? lo : std::stoul(part.substr(dash + 1));
    for (unsigned i = lo; i <= hi; ++i) out.insert(i);
  }
  return out;
}

// "default 100" or "100" -> "100".
std::string weight_value(const std::string& text) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("default ")) return line.substr(8);
    if (!line.empty() && line.find(' ') == std::string::npos) return line;
  }
  return text;
}

class LimitChecker {
 public:
  LimitChecker(const cgroups::Manager& cg, const std::map<std::string, std::string>& unified, Report& r)
      : cg_(cg), unified_(unified), r_(r) {}

  // Reads controller's file (v1 or v2 name); nullopt (and a cannot-tell row)
  // when there is no such file. A v2 file a `unified` key names (or another
  // view of its value, cgroups::v2::same_value) holds that key's value,
  // written after the field's (at create and update): its own row checks it.
  std::optional<std::pair<Dir, std::string>> read(const std::string& property, const std::string& config,
                                                  const std::string& controller, const std::string& v1_file,
                                                  const std::string& v2_file) {
    auto dir = controller_dir(cg_, controller);
    if (!dir) {
      r_.cannot_tell(property, config, "the container has no " + controller + " cgroup");
      return std::nullopt;
    }
    std::string file = dir->v2 ? v2_file : v1_file;
    if (dir->v2 && std::any_of(unified_.begin(), unified_.end(),
                               [&](const auto& key) { return cgroups::v2::same_value(key.first, file); }))
      return std::nullopt;
    if (!cgroups::has_file(dir->path, file)) {
      r_.cannot_tell(property, config, dir->path + "/" + file + " does not exist");
      return std::nullopt;
    }
    try {
      return std::make_pair(*dir, cgroups::read_value(dir->path, file));
    } catch (const Error& e) {
      r_.cannot_tell(property, config, e.what());
      return std::nullopt;
    }
  }

  // A byte limit the kernel rounds down to `granule`.
  void bytes(const std::string& name, int64_t config, const std::string& controller, const std::string& v1_file,
             const std::string& v2_file, uint64_t granule) {
    std::optional<uint64_t> want;
    if (config >= 0) want = static_cast<uint64_t>(config);
    std::string property = "cgroup " + name;
    auto got = read(property, show(want), controller, v1_file, v2_file);
    if (!got) return;
    std::optional<uint64_t> have = parse_limit(got->second);
    bool ok = want ? (have && *have <= *want && *want - *have < granule) : !have;
    r_.check(ok, property + " (" + file_name(got->first, v1_file, v2_file) + ")", show(want), show(have),
             "the limit in force is not the configured one");
  }

  // An exact value (after normalising with `norm`).
  void exact(const std::string& name, const std::string& config, const std::string& controller,
             const std::string& v1_file, const std::string& v2_file,
             std::string (*norm)(const std::string&) = nullptr) {
    std::string property = "cgroup " + name;
    auto got = read(property, config, controller, v1_file, v2_file);
    if (!got) return;
    std::string have = norm ? norm(got->second) : got->second;
    std::string want = norm ? norm(config) : config;
    r_.check(have == want, property + " (" + file_name(got->first, v1_file, v2_file) + ")", config, have,
             "the value in force is not the configured one");
  }

  void usage(const std::string& name, const std::string& controller, const std::string& v1_usage,
             const std::string& v2_usage, const std::string& v1_limit, const std::string& v2_limit) {
    std::string property = "cgroup " + name + " usage";
    auto limit = read(property, "<= limit", controller, v1_limit, v2_limit);
    if (!limit) return;
    auto used = read(property, "<= limit", controller, v1_usage, v2_usage);
    if (!used) return;
    std::optional<uint64_t> l = parse_limit(limit->second), u = parse_limit(used->second);
    r_.check(!l || (u && *u <= *l), property, "<= limit", show(u) + " of " + show(l), "usage is above the limit");
  }

  Dir dir_of(const std::string& controller) { return controller_dir(cg_, controller).value_or(Dir{}); }

 private:
  static std::string file_name(const Dir& d, const std::string& v1, const std::string& v2) { return d.v2 ? v2 : v1; }
  const cgroups::Manager& cg_;
  const std::map<std::string, std::string>& unified_;
  Report& r_;
};

std::string cpus_norm(const std::string& s) {
  std::string out;
  for (unsigned c : parse_list(s)) out += (out.empty() ? "" : ",") + std::to_string(c);
  return out;
}
std::string weight_norm(const std::string& s) { return weight_value(s); }
std::string trim(const std::string& s) {
  size_t e = s.find_last_not_of(" \n");
  return e == std::string::npos ? "" : s.substr(0, e + 1);
}

uint64_t hugepage_bytes(const std::string& size) {
  uint64_t n = std::stoull(size);
  if (size.ends_with("KB")) return n << 10;
  if (size.ends_with("MB")) return n << 20;
  if (size.ends_with("GB")) return n << 30;
  return n;
}

void check_memory(LimitChecker& c, const spec::Memory& m) {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  if (m.limit) c.bytes("memory.limit", *m.limit, "memory", "memory.limit_in_bytes", "memory.max", page);
  if (m.reservation)
    c.bytes("memory.reservation", *m.reservation, "memory", "memory.soft_limit_in_bytes", "memory.low", page);
  if (m.swap) {
    Dir d = c.dir_of("memory");
    if (d.v2) {
      // v2 limits swap alone: the spec's memory+swap minus the memory limit.
      std::optional<std::string> swap = cgroups::swap_for_v2(m.swap, m.limit);
      if (swap) c.bytes("memory.swap", *swap == "max" ? -1 : std::stoll(*swap), "memory", "", "memory.swap.max", page);
    } else {
      c.bytes("memory.swap", *m.swap, "memory", "memory.memsw.limit_in_bytes", "", page);
    }
  }
  if (m.limit && *m.limit >= 0)
    c.usage("memory", "memory", "memory.usage_in_bytes", "memory.current", "memory.limit_in_bytes", "memory.max");
}

void check_cpu(LimitChecker& c, const spec::CPU& cpu) {
  Dir d = c.dir_of("cpu");
  // An idle group has the least weight whatever its shares (the kernel's).
  if (cpu.idle && *cpu.idle != 0) {
    c.exact("cpu.idle", std::to_string(*cpu.idle), "cpu", "cpu.idle", "cpu.idle");
  } else if (cpu.shares) {
    if (d.v2)
      c.exact("cpu.shares", std::to_string(cgroups::shares_to_weight(*cpu.shares)), "cpu", "", "cpu.weight");
    else
      c.exact("cpu.shares", std::to_string(*cpu.shares), "cpu", "cpu.shares", "");
  }
  if (cpu.quota || cpu.period) {
    if (d.v2) {
      // cpu.max is "$QUOTA $PERIOD"; compare the parts the config sets.
      if (cpu.quota)
        c.exact(
            "cpu.quota", *cpu.quota > 0 ? std::to_string(*cpu.quota) : "max", "cpu", "", "cpu.max",
            +[](const std::string& s) { return s.substr(0, s.find(' ')); });
      if (cpu.period)
        c.exact(
            "cpu.period", std::to_string(*cpu.period), "cpu", "", "cpu.max",
            +[](const std::string& s) { return s.find(' ') == std::string::npos ? s : s.substr(s.find(' ') + 1); });
    } else {
      if (cpu.quota)
        c.exact("cpu.quota", std::to_string(*cpu.quota > 0 ? *cpu.quota : -1), "cpu", "cpu.cfs_quota_us", "");
      if (cpu.period) c.exact("cpu.period", std::to_string(*cpu.period), "cpu", "cpu.cfs_period_us", "");
    }
  }
  if (cpu.cpus) c.exact("cpuset.cpus", *cpu.cpus, "cpuset", "cpuset.cpus", "cpuset.cpus", cpus_norm);
  if (cpu.mems) c.exact("cpuset.mems", *cpu.mems, "cpuset", "cpuset.mems", "cpuset.mems", cpus_norm);
}

}  // namespace

std::optional<CgroupDir> controller_dir(const cgroups::Manager& cg, const std::string& controller) {
  const cgroups::Host& host = cgroups::Host::current();
  for (const auto& [name, dir] : cg.paths().v1) {
    auto h = host.v1.find(name);
    if (h != host.v1.end() && h->second.controllers.count(controller)) return CgroupDir{dir, false};
  }
  if (!cg.paths().v2.empty() && host.v1_for(controller) == nullptr) return CgroupDir{cg.paths().v2, true};
  return std::nullopt;
}

void check_cgroup_limits(const Target& t, Report& r) {
  if (!t.linux_section().resources) return;
  // What create and update write: a value runc reads as unset (Docker's
  // reservation 0, an update's quota 0) asks nothing of the files.
  const spec::Resources res = cgroups::without_unset_values(*t.linux_section().resources);
  if (!t.cgroup) {
    r.cannot_tell("cgroup", "limits", "state.json names no cgroup");
    return;
  }
  LimitChecker c(*t.cgroup, res.unified, r);
  if (res.memory) check_memory(c, *res.memory);
  if (res.cpu) check_cpu(c, *res.cpu);
  if (res.pids) {
    c.exact("pids.max", cgroups::limit_or_max(res.pids->limit), "pids", "pids.max", "pids.max");
    c.usage("pids", "pids", "pids.current", "pids.current", "pids.max", "pids.max");
  }
  if (res.blockIO && res.blockIO->weight) {
    Dir d = c.dir_of("blkio");
    std::string w = std::to_string(*res.blockIO->weight);
    if (d.v2) {
      bool bfq = cgroups::has_file(d.path, "io.bfq.weight");
      c.exact("blockIO.weight", bfq ? w : std::to_string(cgroups::blkio_weight_to_io_weight(*res.blockIO->weight)),
              "io", "", bfq ? "io.bfq.weight" : "io.weight", weight_norm);
    } else {
      bool bfq = !cgroups::has_file(d.path, "blkio.weight");
      c.exact("blockIO.weight", w, "blkio", bfq ? "blkio.bfq.weight" : "blkio.weight", "", weight_norm);
    }
  }
  for (const auto& h : res.hugepageLimits) {
    c.bytes("hugetlb." + h.pageSize, static_cast<int64_t>(h.limit), "hugetlb",
            "hugetlb." + h.pageSize + ".limit_in_bytes", "hugetlb." + h.pageSize + ".max", hugepage_bytes(h.pageSize));
  }
  for (const auto& [key, value] : res.unified) {
    std::string controller = key.substr(0, key.find('.'));
    if (t.cgroup->paths().v2.empty()) {
      r.cannot_tell("cgroup " + key, value, "the container has no v2 cgroup");
      continue;
    }
    std::string property = "cgroup " + key;
    try {
      std::string have = trim(cgroups::read_value(t.cgroup->paths().v2, key));
      r.check(have == trim(value), property, value, have, "the value in force is not the configured one");
    } catch (const Error& e) {
      r.cannot_tell(property, value, e.what());
    }
  }
}

}  // namespace hull::verify

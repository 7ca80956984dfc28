// Manager::stats(): the "data" object of runc's `events --stats`
// (runc types/events.go: cpu, cpuset, memory, pids, blkio, hugetlb), read from v1 or
// v2 files depending on where each controller lives. Files that do not exist
// (controller absent, older kernel) leave their fields out, as runc's
// omitempty does; zero values are kept, and keys are in alphabetical order
// (docs/differences-from-runc.md): typed readers decode the same values.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string>

#include "base/cpu_list.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/events.hpp"
#include "cgroups/routing.hpp"

namespace hull::cgroups {

namespace {

using json = nlohmann::json;

std::optional<std::string> try_read(const std::string& dir, const std::string& file) {
  if (dir.empty() || !has_file(dir, file)) return std::nullopt;
  try {
    return read_value(dir, file);
  } catch (const Error&) {
    return std::nullopt;
  }
}

uint64_t to_u64(std::string_view s) {
  if (s == "max") return UINT64_MAX;
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::optional<uint64_t> try_u64(const std::string& dir, const std::string& file) {
  auto s = try_read(dir, file);
  if (!s) return std::nullopt;
  return to_u64(*s);
}

// "key value" lines (memory.stat, cpu.stat, cgroup.events ...).
std::map<std::string, uint64_t> key_values(const std::string& text) {
  std::map<std::string, uint64_t> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    size_t sp = line.find(' ');
    if (sp != std::string::npos) out[line.substr(0, sp)] = to_u64(line.substr(sp + 1));
    i = j + 1;
  }
  return out;
}

std::vector<uint64_t> numbers(const std::string& text) {
  std::vector<uint64_t> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\n') ++j;
    if (j > i) out.push_back(to_u64(std::string_view(text).substr(i, j - i)));
    i = j;
  }
  return out;
}

void set_if(json& j, const char* key, std::optional<uint64_t> v) {
  if (v) j[key] = *v;
}

// The hugepage sizes dir has files for ("hugetlb.2MB.max",
// "hugetlb.2MB.limit_in_bytes": "2MB"): one for each size the kernel has,
// 16MB on ppc64 and 1MB and 2GB on s390x as well as x86's, as runc reports
// every size the host lists.
std::vector<std::string> page_sizes(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  UniqueFd fd;
  try {
    fd = open_path(dir, O_RDONLY | O_DIRECTORY);
  } catch (const Error&) {
    return out;  // gone: no hugetlb stats, as for any missing file
  }
  for (const auto& [name, type] : directory_entries(fd.get(), dir)) {
    std::string_view n = name;
    if (!n.starts_with("hugetlb.") || !n.ends_with(suffix)) continue;
    n = n.substr(8, n.size() - 8 - suffix.size());
    if (!n.empty() && n.find('.') == std::string_view::npos) out.emplace_back(n);  // not "2MB.rsvd"
  }
  std::sort(out.begin(), out.end());
  return out;
}

json v1_blkio_entries(const std::string& text) {
  // "8:0 Read 4096" lines plus a "Total N" line.
  json list = json::array();
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string::npos) j = text.size();
    std::string line = text.substr(i, j - i);
    i = j + 1;
    size_t a = line.find(' '), b = line.rfind(' ');
    size_t colon = line.find(':');
    if (a == std::string::npos || b == a || colon == std::string::npos || colon > a) continue;
    list.push_back({{"major", to_u64(line.substr(0, colon))},
                    {"minor", to_u64(line.substr(colon + 1, a - colon - 1))},
                    {"op", line.substr(a + 1, b - a - 1)},
                    {"value", to_u64(line.substr(b + 1))}});
  }
  return list;
}

json v1_stats(const Router& r) {
  json d = json::object();
  long hz = ::sysconf(_SC_CLK_TCK);
  if (std::string dir = r.v1_dir("cpuacct"); !dir.empty()) {
    json usage;
    set_if(usage, "total", try_u64(dir, "cpuacct.usage"));
    if (auto s = try_read(dir, "cpuacct.usage_percpu")) usage["percpu"] = numbers(*s);
    if (auto s = try_read(dir, "cpuacct.usage_percpu_sys")) usage["percpu_kernel"] = numbers(*s);
    if (auto s = try_read(dir, "cpuacct.usage_percpu_user")) usage["percpu_user"] = numbers(*s);
    if (auto s = try_read(dir, "cpuacct.stat")) {
      auto kv = key_values(*s);  // USER_HZ ticks
      usage["user"] = kv["user"] * 1000000000ULL / static_cast<uint64_t>(hz);
      usage["kernel"] = kv["system"] * 1000000000ULL / static_cast<uint64_t>(hz);
    }
    d["cpu"]["usage"] = usage;
  }
  if (std::string dir = r.v1_dir("cpu"); !dir.empty())
    if (auto s = try_read(dir, "cpu.stat")) {
      auto kv = key_values(*s);
      d["cpu"]["throttling"] = {{"periods", kv["nr_periods"]},
                                {"throttledPeriods", kv["nr_throttled"]},
                                {"throttledTime", kv["throttled_time"]}};
    }
  if (std::string dir = r.v1_dir("memory"); !dir.empty()) {
    json m;
    auto entry = [&](const std::string& prefix) {
      json e;
      set_if(e, "usage", try_u64(dir, prefix + "usage_in_bytes"));
      set_if(e, "max", try_u64(dir, prefix + "max_usage_in_bytes"));
      set_if(e, "limit", try_u64(dir, prefix + "limit_in_bytes"));
      set_if(e, "failcnt", try_u64(dir, prefix + "failcnt"));
      return e;
    };
    m["usage"] = entry("memory.");
    if (json e = entry("memory.memsw."); !e.empty()) m["swap"] = e;
    if (json e = entry("memory.kmem."); !e.empty()) m["kernel"] = e;
    if (json e = entry("memory.kmem.tcp."); !e.empty()) m["kernelTCP"] = e;
    if (auto s = try_read(dir, "memory.stat")) {
      auto raw = key_values(*s);
      m["raw"] = raw;
      m["cache"] = raw["cache"];  // the cgroup's own, as runc reads it
    }
    d["memory"] = m;
  }
  if (std::string dir = r.v1_dir("cpuset"); !dir.empty()) {
    json c = json::object();
    auto ids = [&](const char* file) {
      auto s = try_read(dir, file);
      return s ? parse_cpu_list(*s, std::string(file)) : std::vector<unsigned>{};
    };
    // runc's omitempty: no lists when empty; the flags always.
    if (auto cpus = ids("cpuset.cpus"); !cpus.empty()) c["cpus"] = cpus;
    if (auto mems = ids("cpuset.mems"); !mems.empty()) c["mems"] = mems;
    for (const char* flag : {"cpu_exclusive", "mem_hardwall", "mem_exclusive", "memory_migrate", "memory_spread_page",
                             "memory_spread_slab", "memory_pressure", "sched_load_balance"})
      c[flag] = try_u64(dir, std::string("cpuset.") + flag).value_or(0);
    // -1: the system default, so signed.
    auto level = try_read(dir, "cpuset.sched_relax_domain_level");
    c["sched_relax_domain_level"] = level ? std::strtoll(level->c_str(), nullptr, 10) : 0;
    d["cpuset"] = c;
  }
  if (std::string dir = r.v1_dir("pids"); !dir.empty()) {
    json p;
    set_if(p, "current", try_u64(dir, "pids.current"));
    if (auto l = try_u64(dir, "pids.max")) p["limit"] = *l == UINT64_MAX ? 0 : *l;  // runc: 0 = unlimited
    d["pids"] = p;
  }
  if (std::string dir = r.v1_dir("blkio"); !dir.empty()) {
    json b;
    // In runc's order, the first with any counts: BFQ's, CFQ's (gone since
    // Linux 5.0), then the throttle layer's (recursive, then the cgroup's
    // own, which older kernels have alone). A scheduler's files are empty,
    // or say only "Total 0", where no device uses it.
    auto pick = [&](std::initializer_list<const char*> files) {
      for (const char* file : files)
        if (auto s = try_read(dir, file); s && !s->empty() && s->rfind("Total", 0) != 0) return v1_blkio_entries(*s);
      return json::array();
    };
    b["ioServiceBytesRecursive"] =
        pick({"blkio.bfq.io_service_bytes_recursive", "blkio.io_service_bytes_recursive",
              "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_service_bytes"});
    b["ioServicedRecursive"] = pick({"blkio.bfq.io_serviced_recursive", "blkio.io_serviced_recursive",
                                     "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_serviced"});
    d["blkio"] = b;
  }
  if (std::string dir = r.v1_dir("hugetlb"); !dir.empty()) {
    for (const auto& size : page_sizes(dir, ".limit_in_bytes")) {
      json h;
      std::string p = "hugetlb." + size + ".";
      set_if(h, "usage", try_u64(dir, p + "usage_in_bytes"));
      set_if(h, "max", try_u64(dir, p + "max_usage_in_bytes"));
      set_if(h, "failcnt", try_u64(dir, p + "failcnt"));
      d["hugetlb"][size] = h;
    }
  }
  return d;
}

// A pressure file ("some avg10=0.12 avg60=0.05 avg300=0.01 total=4242"
// and a "full" line) as runc >= 1.2 reports it under "psi": each line
// {avg10, avg60, avg300, total}, one of zeros left out (runc's omitzero);
// nullopt without the file (a kernel without PSI, or PSI off for the cgroup).
std::optional<json> pressure(const std::string& dir, const char* file) {
  std::optional<std::string> text = try_read(dir, file);
  if (!text) return std::nullopt;
  json psi = json::object();
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string kind;
    if (!(words >> kind) || (kind != "some" && kind != "full")) continue;
    json data = {{"avg10", 0.0}, {"avg60", 0.0}, {"avg300", 0.0}, {"total", 0}};
    bool zero = true;
    for (std::string word; words >> word;) {
      const size_t eq = word.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = word.substr(0, eq), value = word.substr(eq + 1);
      if (!data.contains(key)) continue;
      if (key == "total") {
        data[key] = to_u64(value);
      } else {
        data[key] = std::strtod(value.c_str(), nullptr);
      }
      zero = zero && data[key] == 0;
    }
    if (!zero) psi[kind] = std::move(data);
  }
  return psi;
}

void add_pressure(json& section, const std::string& dir, const char* file) {
  if (std::optional<json> psi = pressure(dir, file)) section["psi"] = std::move(*psi);
}

// v2 parts, for controllers not already covered by v1 (hybrid) or all (unified).
void v2_stats(const std::string& dir, json& d) {
  if (dir.empty()) return;
  if (!d.contains("cpu"))
    if (auto s = try_read(dir, "cpu.stat")) {
      auto kv = key_values(*s);
      d["cpu"]["usage"] = {
          {"total", kv["usage_usec"] * 1000}, {"user", kv["user_usec"] * 1000}, {"kernel", kv["system_usec"] * 1000}};
      if (kv.count("nr_periods"))
        d["cpu"]["throttling"] = {{"periods", kv["nr_periods"]},
                                  {"throttledPeriods", kv["nr_throttled"]},
                                  {"throttledTime", kv["throttled_usec"] * 1000}};
      add_pressure(d["cpu"], dir, "cpu.pressure");
    }
  if (!d.contains("memory") && has_file(dir, "memory.current")) {
    json m;
    json usage;
    set_if(usage, "usage", try_u64(dir, "memory.current"));
    set_if(usage, "limit", try_u64(dir, "memory.max"));
    set_if(usage, "max", try_u64(dir, "memory.peak"));
    if (auto s = try_read(dir, "memory.events")) usage["failcnt"] = key_values(*s)["max"];
    m["usage"] = usage;
    if (has_file(dir, "memory.swap.current")) {
      // Memory and swap together, as v1's memsw files count them and as
      // runc reports v2's for that reason (fs2/memory.go); an unlimited
      // swap stays unlimited. No "max": memory.swap.peak is swap's alone,
      // and no file keeps the peak of the two together (runc leaves it out).
      json swap;
      std::optional<uint64_t> used = try_u64(dir, "memory.swap.current"), limit = try_u64(dir, "memory.swap.max");
      const uint64_t memory_used = usage.value("usage", uint64_t{0}), memory_limit = usage.value("limit", UINT64_MAX);
      if (used) swap["usage"] = *used + memory_used;
      if (limit)
        swap["limit"] = *limit == UINT64_MAX || memory_limit > UINT64_MAX - *limit ? UINT64_MAX : *limit + memory_limit;
      m["swap"] = swap;
    }
    if (auto s = try_read(dir, "memory.stat")) {
      auto raw = key_values(*s);
      m["raw"] = raw;
      m["cache"] = raw["file"];
    }
    add_pressure(m, dir, "memory.pressure");
    d["memory"] = m;
  }
  if (!d.contains("pids") && has_file(dir, "pids.current")) {
    json p;
    set_if(p, "current", try_u64(dir, "pids.current"));
    if (auto l = try_u64(dir, "pids.max")) p["limit"] = *l == UINT64_MAX ? 0 : *l;
    d["pids"] = p;
  }
  if (!d.contains("blkio")) {
    if (auto s = try_read(dir, "io.stat")) {
      // "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
      json bytes = json::array(), ios = json::array();
      size_t i = 0;
      while (i < s->size()) {
        size_t j = s->find('\n', i);
        if (j == std::string::npos) j = s->size();
        std::string line = s->substr(i, j - i);
        i = j + 1;
        size_t colon = line.find(':'), sp = line.find(' ');
        if (colon == std::string::npos || sp == std::string::npos) continue;
        uint64_t major = to_u64(line.substr(0, colon)), minor = to_u64(line.substr(colon + 1, sp - colon - 1));
        std::map<std::string, uint64_t> kv;
        for (const auto& w : split_words(line.substr(sp + 1))) {
          size_t eq = w.find('=');
          if (eq != std::string::npos) kv[w.substr(0, eq)] = to_u64(w.substr(eq + 1));
        }
        auto add = [&](json& list, const char* op, uint64_t v) {
          list.push_back({{"major", major}, {"minor", minor}, {"op", op}, {"value", v}});
        };
        add(bytes, "Read", kv["rbytes"]);
        add(bytes, "Write", kv["wbytes"]);
        add(ios, "Read", kv["rios"]);
        add(ios, "Write", kv["wios"]);
      }
      d["blkio"] = {{"ioServiceBytesRecursive", bytes}, {"ioServicedRecursive", ios}};
    }
    // io.pressure is there whether or not the io controller is enabled.
    if (std::optional<json> psi = pressure(dir, "io.pressure")) d["blkio"]["psi"] = std::move(*psi);
  }
  if (!d.contains("hugetlb"))
    for (const auto& size : page_sizes(dir, ".max")) {
      json h;
      std::string p = "hugetlb." + size + ".";
      set_if(h, "usage", try_u64(dir, p + "current"));
      if (auto s = try_read(dir, p + "events")) h["failcnt"] = key_values(*s)["max"];
      d["hugetlb"][size] = h;
    }
}

}  // namespace

nlohmann::json Manager::stats() const {
  Router r(host(), paths_);
  json d = host().mode == Mode::Unified ? json::object() : v1_stats(r);
  v2_stats(paths_.v2, d);
  for (const char* k : {"cpu", "memory", "pids", "blkio"})
    if (!d.contains(k)) d[k] = json::object();
  if (!d.contains("hugetlb")) d["hugetlb"] = json::object();
  // Always in runc's output: cpuset (flags 0 where there is no v1 cpuset),
  // intel_rdt (empty without RDT) and network_interfaces (null: runc fills
  // it only for the network interfaces libcontainer made itself).
  if (!d.contains("cpuset"))
    d["cpuset"] = {{"cpu_exclusive", 0},      {"mem_hardwall", 0},       {"mem_exclusive", 0},
                   {"memory_migrate", 0},     {"memory_spread_page", 0}, {"memory_spread_slab", 0},
                   {"memory_pressure", 0},    {"sched_load_balance", 0}, {"sched_relax_domain_level", 0}};
  d["intel_rdt"] = json::object();
  d["network_interfaces"] = nullptr;
  return d;
}

}  // namespace hull::cgroups

#include "cgroups/systemd_unit.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <type_traits>

#include "base/error.hpp"
#include "base/text.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/convert.hpp"
#include "cgroups/gvariant_text.hpp"

namespace hull::cgroups {

namespace {

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();  // systemd's "infinity"
constexpr const char* kDefaultSlice = "system.slice";
constexpr const char* kDefaultPrefix = "hull";
constexpr size_t kMaxListNumber = 1 << 16;  // CPUs / NUMA nodes a mask may name

uint64_t limit_value(int64_t v) { return v < 0 ? kInfinity : static_cast<uint64_t>(v); }

std::optional<uint64_t> parse_number(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// A unified value "max" or a number, for the properties that take "infinity".
uint64_t unified_limit(const std::string& key, std::string_view value) {
  if (value == "max") return kInfinity;
  if (auto v = parse_number(value)) return *v;
  throw Error("linux.resources.unified." + key + ": " + quote(value) + " is neither \"max\" nor a number");
}

// As runc trims unified values (the kernel trims what is written to a file).
std::string_view trimmed(std::string_view v) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  size_t start = v.find_first_not_of(kSpace);
  if (start == std::string_view::npos) return {};
  return v.substr(start, v.find_last_not_of(kSpace) - start + 1);
}

// The default weight of a unified io.weight ("default N", or a bare N, on
// one of its lines); none where it names devices only.
std::optional<uint64_t> unified_default_io_weight(std::string_view value) {
  while (!value.empty()) {
    const size_t end = std::min(value.find('\n'), value.size());
    std::string_view line = trimmed(value.substr(0, end));
    value.remove_prefix(std::min(end + 1, value.size()));
    if (line.starts_with("default ")) line = trimmed(line.substr(8));
    if (auto v = parse_number(line)) return v;
  }
  return std::nullopt;
}

// systemd keeps quotas as CPU time per second in whole percent: runc rounds
// up to the next 10 ms so that the cgroup may use what was asked for.
uint64_t quota_per_second(int64_t quota, uint64_t period) {
  if (quota <= 0) return kInfinity;
  if (period == 0) period = 100000;  // the kernel's default period
  unsigned __int128 per_sec = static_cast<unsigned __int128>(quota) * 1000000 / period;
  if (per_sec % 10000 != 0) per_sec = (per_sec / 10000 + 1) * 10000;
  return per_sec > kInfinity ? kInfinity : static_cast<uint64_t>(per_sec);
}

void add_cpu_quota(std::vector<dbus::Property>& out, std::optional<int64_t> quota, std::optional<uint64_t> period) {
  uint64_t p = period.value_or(0);
  if (p != 0) out.push_back({"CPUQuotaPeriodUSec", p});
  if (quota.value_or(0) != 0 || p != 0) out.push_back({"CPUQuotaPerSecUSec", quota_per_second(quota.value_or(0), p)});
}

// unified "cpu.max": "QUOTA [PERIOD]", QUOTA "max" (no limit) or a number,
// PERIOD 100000 when left out, as runc's unifiedResToSystemdProps reads it.
void add_unified_cpu_max(std::vector<dbus::Property>& out, std::string_view value) {
  auto bad = [&] {
    return Error("linux.resources.unified.cpu.max: " + quote(value) +
                 " is not \"QUOTA [PERIOD]\" (QUOTA \"max\" or a number)");
  };
  std::string_view rest = value;
  const std::string_view quota_text = next_word(rest);
  const std::string_view period_text = next_word(rest);
  if (!next_word(rest).empty()) throw bad();
  int64_t quota = 0;
  if (quota_text != "max") {
    auto q = whole_number<int64_t>(quota_text);
    if (!q || *q < 0) throw bad();
    quota = *q;
  }
  uint64_t period = 100000;
  if (!period_text.empty()) {
    auto p = parse_number(period_text);
    if (!p || *p == 0) throw bad();
    period = *p;
  }
  add_cpu_quota(out, quota, period);
}

}  // namespace

std::string expand_slice(std::string_view slice) {
  constexpr std::string_view kSuffix = ".slice";
  if (slice.size() <= kSuffix.size() || !slice.ends_with(kSuffix))
    throw Error("systemd slice " + quote(slice) + ": the name must end in \".slice\"");
  if (slice.find('/') != std::string_view::npos) throw Error("systemd slice " + quote(slice) + ": contains '/'");
  std::string_view base = slice.substr(0, slice.size() - kSuffix.size());
  if (base == "-") return "";
  std::string path, prefix;
  size_t i = 0;
  for (;;) {
    size_t j = base.find('-', i);
    std::string_view part = base.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i);
    if (part.empty())
      throw Error("systemd slice " + quote(slice) + ": empty component (a leading, trailing or doubled '-')");
    if (!path.empty()) path += '/';
    path += prefix;
    path += part;
    path += kSuffix;
    prefix += std::string(part) + "-";
    if (j == std::string_view::npos) break;
    i = j + 1;
  }
  return path;
}

SystemdUnit systemd_unit(const std::optional<std::string>& cgroups_path, std::string_view id, bool user_manager) {
  const char* default_slice = user_manager ? "user.slice" : kDefaultSlice;
  SystemdPath p = cgroups_path && !cgroups_path->empty() ? parse_systemd_path(*cgroups_path)
                                                         : SystemdPath{default_slice, kDefaultPrefix, std::string(id)};
  SystemdUnit u;
  u.slice = p.slice.empty() ? default_slice : p.slice;
  std::string slice_dir = expand_slice(u.slice);
  if (p.name.ends_with(".slice")) {
    u.name = p.name;
    u.cgroup = expand_slice(p.name);
    if (u.cgroup.empty())
      throw Error("systemd slice \"-.slice\" is the root slice, which cannot be a container's unit");
  } else {
    u.name = (p.prefix.empty() ? "" : p.prefix + "-") + p.name + ".scope";
    u.cgroup = slice_dir.empty() ? u.name : slice_dir + "/" + u.name;
  }
  return u;
}

std::vector<uint8_t> list_to_mask(std::string_view list, std::string_view what) {
  std::vector<uint8_t> mask;
  auto bad = [&](std::string_view why) {
    return Error(std::string(what) + ": " + quote(list) + " is not a list of numbers and ranges: " + std::string(why));
  };
  size_t i = 0;
  while (i < list.size()) {
    size_t j = list.find(',', i);
    if (j == std::string_view::npos) j = list.size();
    std::string_view item = list.substr(i, j - i);
    i = j + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\n')) item.remove_suffix(1);
    if (item.empty()) continue;
    size_t dash = item.find('-');
    auto lo = parse_number(item.substr(0, dash));
    auto hi = dash == std::string_view::npos ? lo : parse_number(item.substr(dash + 1));
    if (!lo || !hi) throw bad(quote(item));
    if (*lo > *hi) throw bad("range " + quote(item) + " runs backwards");
    if (*hi >= kMaxListNumber) throw bad(std::to_string(*hi) + " is too large");
    if (mask.size() < *hi / 8 + 1) mask.resize(*hi / 8 + 1, 0);
    for (uint64_t n = *lo; n <= *hi; ++n) mask[n / 8] |= static_cast<uint8_t>(1u << (n % 8));
  }
  return mask;
}

std::vector<dbus::Property> resource_properties(const spec::Resources& r) {
  std::vector<dbus::Property> out;
  if (r.memory) {
    const spec::Memory& m = *r.memory;
    if (m.limit && *m.limit != 0) out.push_back({"MemoryMax", limit_value(*m.limit)});
    if (m.reservation && *m.reservation != 0) out.push_back({"MemoryLow", limit_value(*m.reservation)});
    if (auto swap = swap_for_v2(m.swap, m.limit))
      out.push_back({"MemorySwapMax", *swap == "max" ? kInfinity : *parse_number(*swap)});
  }
  if (r.cpu) {
    const spec::CPU& c = *r.cpu;
    if (c.idle && *c.idle != 0)
      out.push_back({"CPUWeight", uint64_t{0}});
    else if (c.shares && *c.shares != 0)
      out.push_back({"CPUWeight", shares_to_weight(*c.shares)});
    else if (c.idle)  // out of idle with no shares: systemd's unset weight, the kernel's default
      out.push_back({"CPUWeight", kInfinity});
    add_cpu_quota(out, c.quota, c.period);
    if (c.cpus && !c.cpus->empty()) out.push_back({"AllowedCPUs", list_to_mask(*c.cpus, "linux.resources.cpu.cpus")});
    if (c.mems && !c.mems->empty())
      out.push_back({"AllowedMemoryNodes", list_to_mask(*c.mems, "linux.resources.cpu.mems")});
  }
  if (r.pids && r.pids->limit != 0) out.push_back({"TasksMax", limit_value(r.pids->limit)});
  // Not sent by runc 1.1: without it, systemd writes its own io.weight back
  // at a daemon-reload or the next update (the scope accounts IO).
  if (r.blockIO && r.blockIO->weight && *r.blockIO->weight != 0)
    out.push_back({"IOWeight", blkio_weight_to_io_weight(*r.blockIO->weight)});
  // The cgroup v2 files runc also turns into properties, and io.weight.
  for (const auto& [key, raw] : r.unified) {
    const std::string_view value = trimmed(raw);
    if (key == "memory.max")
      out.push_back({"MemoryMax", unified_limit(key, value)});
    else if (key == "memory.high")
      out.push_back({"MemoryHigh", unified_limit(key, value)});
    else if (key == "memory.low")
      out.push_back({"MemoryLow", unified_limit(key, value)});
    else if (key == "memory.min")
      out.push_back({"MemoryMin", unified_limit(key, value)});
    else if (key == "memory.swap.max")
      out.push_back({"MemorySwapMax", unified_limit(key, value)});
    else if (key == "pids.max")
      out.push_back({"TasksMax", unified_limit(key, value)});
    else if (key == "cpu.weight")
      out.push_back({"CPUWeight", unified_limit(key, value)});
    else if (key == "cpuset.cpus")
      out.push_back({"AllowedCPUs", list_to_mask(value, "linux.resources.unified.cpuset.cpus")});
    else if (key == "cpuset.mems")
      out.push_back({"AllowedMemoryNodes", list_to_mask(value, "linux.resources.unified.cpuset.mems")});
    else if (key == "cpu.max")
      add_unified_cpu_max(out, value);
    else if (key == "io.weight")
      if (auto weight = unified_default_io_weight(value)) out.push_back({"IOWeight", *weight});
  }
  return out;
}

void with_idle_weight_fallback(std::vector<dbus::Property> props,
                               const std::function<void(const std::vector<dbus::Property>&)>& call) {
  const auto idle = std::find_if(props.begin(), props.end(), [](const dbus::Property& p) {
    return p.name == "CPUWeight" && p.value == dbus::PropertyValue(uint64_t{0});
  });
  try {
    call(props);
  } catch (const Error& e) {
    if (idle == props.end() || std::string_view(e.what()).find("CPUWeight") == std::string_view::npos) throw;
    props.erase(idle);
    call(props);
  }
}

namespace {

// runc's checkPropertyName: systemd's names are ASCII letters.
void check_property_name(const std::string& key, std::string_view name) {
  if (name.size() < 3) throw Error("annotation " + quote(key) + ": the property name is too short");
  for (char c : name)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
      throw Error("annotation " + quote(key) + ": the property name holds a character other than an ASCII letter");
}

// A number of seconds as microseconds (a "...Sec" name becomes "...USec"); one
// too large for microseconds in 64 bits is systemd's infinity.
uint64_t seconds_to_usec(const dbus::PropertyValue& v) {
  constexpr uint64_t kMicro = 1000000;
  return std::visit(
      [](const auto& x) -> uint64_t {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, double>) {
          if (!(x >= 0)) throw Error("a number of seconds must not be negative");
          // 2^64 as a double; anything at or past it (inf too) saturates.
          const double usec = x * static_cast<double>(kMicro);
          return usec >= 18446744073709551616.0 ? kInfinity : static_cast<uint64_t>(usec);
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
          if constexpr (std::is_signed_v<T>)
            if (x < 0) throw Error("a number of seconds must not be negative");
          const uint64_t seconds = static_cast<uint64_t>(x);
          return seconds > kInfinity / kMicro ? kInfinity : seconds * kMicro;
        } else {
          throw Error("a ...Sec property takes a number");
        }
      },
      v);
}

}  // namespace

std::vector<dbus::Property> annotation_properties(const std::map<std::string, std::string>& annotations) {
  constexpr std::string_view kPrefix = "org.systemd.property.";
  std::vector<dbus::Property> out;
  for (const auto& annotation : annotations) {
    const std::string& key = annotation.first;
    const std::string& text = annotation.second;
    if (!key.starts_with(kPrefix)) continue;
    std::string name = key.substr(kPrefix.size());
    check_property_name(key, name);
    with_context("annotation " + quote(key) + "=" + quote(text), [&] {
      dbus::PropertyValue value = parse_gvariant_text(text);
      // As runc: TimeoutStopSec=5 is TimeoutStopUSec=5000000 (a lowercase
      // letter before "Sec": "USec" itself is left as it is).
      if (name.size() > 3 && name.ends_with("Sec") && name[name.size() - 4] >= 'a' && name[name.size() - 4] <= 'z') {
        value = seconds_to_usec(value);
        name = name.substr(0, name.size() - 3) + "USec";
      }
      out.push_back({name, std::move(value)});
    });
  }
  return out;
}

std::vector<dbus::Property> start_properties(const SystemdUnit& unit, pid_t pid, std::string_view id,
                                             const spec::Resources& r,
                                             const std::vector<dbus::Property>& from_annotations) {
  std::vector<dbus::Property> out;
  out.push_back({"Description", "hull container " + std::string(id)});
  if (unit.is_slice()) {
    // A slice's parent is implied by its name; Wants= (a list) orders it after it.
    out.push_back({"Wants", std::vector<std::string>{unit.slice}});
  } else {
    out.push_back({"Slice", unit.slice});
    // The container's processes make sub-cgroups and write limits below the scope.
    out.push_back({"Delegate", true});
    out.push_back({"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)}});
  }
  // Not ordered after basic.target nor stopped by shutdown.target's
  // conflicts: the container lives as long as its processes.
  out.push_back({"DefaultDependencies", false});
  for (const char* accounting : {"MemoryAccounting", "CPUAccounting", "IOAccounting", "TasksAccounting"})
    out.push_back({accounting, true});
  // A unit that failed (a scope stopped by an OOM kill, a RuntimeMaxSec)
  // would stay loaded until reset: one per container of a busy node, and
  // its name taken (UnitExists) for a new container that reuses it, as
  // podman does an id's. Collected instead, as runc >= 1.1.8 resets it at
  // delete, without a call more per container.
  out.push_back({"CollectMode", std::string("inactive-or-failed")});
  // systemd takes the last value of a property given twice. The annotations
  // after hull's own, so they override them (DefaultDependencies,
  // CollectMode), as runc appends them; the config's limits after those, as
  // runc sets them once the unit has started: an annotation of the same
  // property does not take a container's limit back at a daemon-reload.
  out.insert(out.end(), from_annotations.begin(), from_annotations.end());
  std::vector<dbus::Property> res = resource_properties(r);
  out.insert(out.end(), res.begin(), res.end());
  return out;
}

}  // namespace hull::cgroups

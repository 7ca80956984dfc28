#include "cgroups/resctrl.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/text.hpp"

namespace hull::resctrl {

namespace {

constexpr long kResctrlMagic = 0x7655821;  // RDTGROUP_SUPER_MAGIC, include/uapi/linux/magic.h

constexpr const char* kControlKey = kStateKey;
constexpr const char* kMonitorKey = "intelRdtMonitor";
constexpr const char* kRemoveKey = "intelRdtRemove";

std::string_view trim(std::string_view s) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const size_t begin = s.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kBlanks);
  return s.substr(begin, end - begin + 1);
}

// "L3:0=ff;1=f" -> resource "L3", domains {0: "ff", 1: "f"}.
struct SchemaLine {
  std::string resource;
  std::map<std::string, std::string> domains;
};

std::optional<SchemaLine> parse_line(std::string_view line) {
  line = trim(line);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  SchemaLine out{std::string(trim(line.substr(0, colon))), {}};
  std::string_view rest = line.substr(colon + 1);
  while (!rest.empty()) {
    const size_t semi = std::min(rest.find(';'), rest.size());
    std::string_view domain = trim(rest.substr(0, semi));
    rest.remove_prefix(std::min(semi + 1, rest.size()));
    if (domain.empty()) continue;
    const size_t eq = domain.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    out.domains[std::string(trim(domain.substr(0, eq)))] = std::string(trim(domain.substr(eq + 1)));
  }
  return out;
}

// Masks are hex, bandwidths decimal; either way two spellings of one value
// ("0ff", "FF") read as one number in base 16.
bool same_value(const std::string& a, const std::string& b) {
  char* end_a = nullptr;
  char* end_b = nullptr;
  errno = 0;
  const unsigned long long va = std::strtoull(a.c_str(), &end_a, 16);
  const unsigned long long vb = std::strtoull(b.c_str(), &end_b, 16);
  if (errno != 0 || *end_a != '\0' || *end_b != '\0' || a.empty() || b.empty()) return a == b;
  return va == vb;
}

// A bandwidth the kernel rounded up to its granularity, or (MBps, no
// rounding) as given.
bool same_bandwidth(const std::string& have, const std::string& want, uint64_t granularity) {
  const std::optional<uint64_t> h = whole_number<uint64_t>(have);
  const std::optional<uint64_t> w = whole_number<uint64_t>(want);
  if (!h || !w) return have == want;
  return *h == *w || (granularity > 0 && *h == (*w + granularity - 1) / granularity * granularity);
}

// The kernel says why it refused a schemata or tasks write here, not in the errno.
std::string kernel_reason() {
  try {
    std::string status(trim(read_file(mount_point() + "/info/last_cmd_status")));
    return status.empty() || status == "ok" ? "" : " (resctrl: " + status + ")";
  } catch (const Error&) {
    return "";
  }
}

enum class GroupKind { Control, Monitor };

[[noreturn]] void refuse_existing(const std::string& dir, GroupKind kind) {
  throw Error(std::string(kind == GroupKind::Control ? "resctrl group " : "resctrl monitoring group ") + dir +
                  " already exists: it is not this container's (remove it)",
              EEXIST);
}

// Whether it made `dir`; one that exists is an error unless `existing_ok`.
bool make_group(const std::string& dir, GroupKind kind, bool existing_ok = false) {
  if (::mkdir(dir.c_str(), 0755) == 0) {
    fault_point(kind == GroupKind::Control ? "create-resctrl-group-made" : "create-resctrl-monitor-made");
    return true;
  }
  const int err = errno;
  const bool control = kind == GroupKind::Control;
  if (err == EEXIST && existing_ok) return false;
  if (err == EEXIST) refuse_existing(dir, kind);
  if (err == ENOSPC)
    throw Error(
        (control ? "make resctrl group " + dir + ": the hardware has no classes of service (CLOS) left"
                 : "make resctrl monitoring group " + dir + ": the hardware has no monitoring ids (RMIDs) left") +
            kernel_reason(),
        err);
  throw_errno(err, control ? "make resctrl group " + dir : "make resctrl monitoring group " + dir);
}

void remove_group(const std::string& dir) {
  if (dir.empty() || ::rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
  throw_errno("remove resctrl group " + dir);
}

// A group's file, checked to be resctrl's: the path is one create planned,
// or state.json recorded. A test's stand-in directory gets its writes as
// plain files (made here: the kernel makes resctrl's with each group).
UniqueFd open_for_writes(const std::string& path) {
  const bool stand_in = test_stand_in("HULL_TEST_RESCTRL") != nullptr;
  UniqueFd fd = open_fd(path, O_WRONLY | (stand_in ? O_CREAT : 0), 0644);
  struct statfs fs {};
  if (!stand_in && (::fstatfs(fd.get(), &fs) < 0 || fs.f_type != kResctrlMagic))
    throw Error(path + " is not on the resctrl file system: not written");
  return fd;
}

void write_to(int fd, const std::string& path, const std::string& data) {
  try {
    write_all(fd, data, path);
  } catch (Error& e) {
    throw Error(e.message() + kernel_reason(), e.code());
  }
}

std::optional<std::string> read_trimmed(const std::string& path) {
  try {
    return std::string(trim(read_file(path)));
  } catch (const Error&) {
    return std::nullopt;
  }
}

// The first line of a schemata file for `resource` ("L3", "MB"), trimmed.
std::string schema_of(const std::string& group, std::string_view resource) {
  std::optional<std::string> text = read_trimmed(group + "/schemata");
  std::string_view rest = text ? std::string_view(*text) : std::string_view();
  while (!rest.empty()) {
    std::string_view line = trim(next_line(rest));
    std::optional<SchemaLine> parsed = parse_line(line);
    if (parsed && parsed->resource == resource) return std::string(line);
  }
  return "";
}

// A counter or setting file's decimal value; nothing when unreadable.
std::optional<uint64_t> read_number(const std::string& path) {
  std::optional<std::string> v = read_trimmed(path);
  return v ? whole_number<uint64_t>(*v) : std::nullopt;
}

void set_number(nlohmann::json& obj, const char* key, const std::string& path) {
  if (std::optional<uint64_t> n = read_number(path); n && *n != 0) obj[key] = *n;
}

// Where the file system is looked for: kMountPoint, or a test's stand-in.
std::string expected_mount_point() {
  const char* stand_in = test_stand_in("HULL_TEST_RESCTRL");
  return stand_in ? stand_in : kMountPoint;
}

}  // namespace

std::string mount_point() {
  std::string mount = expected_mount_point();
  struct statfs fs {};
  if (mount != kMountPoint || (::statfs(kMountPoint, &fs) == 0 && fs.f_type == kResctrlMagic)) return mount;
  throw Error(std::string("linux.intelRdt: no resctrl file system is mounted at ") + kMountPoint +
                  " (the spec requires one): on a host whose CPU and kernel have RDT, mount it with `mount -t "
                  "resctrl resctrl " +
                  kMountPoint + "`",
              ENODEV);
}

std::vector<std::string> schemata_lines(const spec::IntelRdt& rdt) {
  std::vector<std::string> lines;
  // l3CacheSchema "SHOULD NOT" hold newlines: configs whose value carries
  // an MB: line too are written as the lines they hold.
  if (rdt.l3CacheSchema) {
    std::string_view rest = *rdt.l3CacheSchema;
    while (!rest.empty())
      if (std::string_view line = trim(next_line(rest)); !line.empty()) lines.emplace_back(line);
  }
  if (rdt.memBwSchema) lines.push_back(*rdt.memBwSchema);
  lines.insert(lines.end(), rdt.schemata.begin(), rdt.schemata.end());
  return lines;
}

std::string first_difference(std::string_view current, const std::vector<std::string>& wanted,
                             uint64_t mb_granularity) {
  std::map<std::string, SchemaLine> have;
  while (!current.empty())
    if (std::optional<SchemaLine> l = parse_line(next_line(current))) have[l->resource] = std::move(*l);
  for (const std::string& line : wanted) {
    std::optional<SchemaLine> want = parse_line(line);
    if (!want) return line;
    auto it = have.find(want->resource);
    if (it == have.end()) return line;
    for (const auto& [domain, value] : want->domains) {
      auto d = it->second.domains.find(domain);
      if (d == it->second.domains.end()) return line;
      const bool same =
          want->resource == "MB" ? same_bandwidth(d->second, value, mb_granularity) : same_value(d->second, value);
      if (!same) return line;
    }
  }
  return "";
}

void Groups::record(std::map<std::string, std::string>& extra) const {
  extra[kControlKey] = control;
  if (!monitor.empty()) extra[kMonitorKey] = monitor;
  if (remove_control) extra[kRemoveKey] = "true";
}

Groups Groups::recorded(const std::map<std::string, std::string>& extra, std::string_view id) {
  Groups g;
  auto get = [&](const char* key) {
    auto it = extra.find(key);
    return it == extra.end() ? std::string() : it->second;
  };
  g.control = get(kControlKey);
  g.monitor = get(kMonitorKey);
  g.remove_control = get(kRemoveKey) == "true";
  if (g.control.empty() && g.monitor.empty() && !g.remove_control) return g;
  // Only what plan() makes for this id: a damaged or planted state.json
  // must not have exec, update or delete write or remove anything else.
  const std::string mount = expected_mount_point();
  bool control_ok = g.control == mount;
  if (!control_ok && g.control.starts_with(mount + "/")) {
    const std::string_view name = std::string_view(g.control).substr(mount.size() + 1);
    control_ok = !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
  }
  if (!control_ok || (!g.monitor.empty() && g.monitor != g.control + "/mon_groups/" + std::string(id)) ||
      (g.remove_control && g.control != mount + "/" + std::string(id)))
    throw Error("state.json names resctrl groups that a create of " + quote(id) + " does not make (" + g.control +
                (g.monitor.empty() ? "" : ", " + g.monitor) + ")");
  return g;
}

Groups plan(const std::string& mount, const spec::IntelRdt& rdt, std::string_view id) {
  Groups g;
  g.control = !rdt.closID ? mount + "/" + std::string(id) : *rdt.closID == "/" ? mount : mount + "/" + *rdt.closID;
  if (rdt.enableMonitoring.value_or(false)) g.monitor = g.control + "/mon_groups/" + std::string(id);
  return g;
}

Groups plan_new_container(const spec::IntelRdt& rdt, std::string_view id) {
  Groups g = plan(mount_point(), rdt, id);
  if (!rdt.closID) {
    struct stat st {};
    if (::stat(g.control.c_str(), &st) == 0)
      with_context("linux.intelRdt", [&] { refuse_existing(g.control, GroupKind::Control); });
    g.remove_control = true;
  }
  return g;
}

namespace {

// A class of service other containers may share: checked against the
// config's lines, never rewritten.
void check_shared(const Groups& g, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  const uint64_t granularity = read_number(expected_mount_point() + "/info/MB/bandwidth_gran").value_or(0);
  std::string differs = first_difference(read_file(g.control + "/schemata"), lines, granularity);
  if (!differs.empty())
    throw Error("resctrl group " + g.control + " exists and does not hold " + quote(differs) +
                ": a group set up beforehand is left as it is (name another closID)");
}

}  // namespace

bool make(const Groups& g, const spec::IntelRdt& rdt) {
  const std::vector<std::string> lines = schemata_lines(rdt);
  bool made = false;
  try {
    struct stat st {};
    if (!rdt.closID) {
      make_group(g.control, GroupKind::Control);
      made = true;
      if (!lines.empty()) write_schemata(g, lines);
    } else if (lines.empty()) {
      if (::stat(g.control.c_str(), &st) < 0)
        throw Error(
            "resctrl group " + g.control + " does not exist: a closID without schemata names a group set up beforehand",
            ENOENT);
    } else if (make_group(g.control, GroupKind::Control, true)) {
      made = true;
      write_schemata(g, lines);
    } else {
      // There before (or made by a create of another container meanwhile).
      check_shared(g, lines);
    }
    if (!g.monitor.empty()) make_group(g.monitor, GroupKind::Monitor);
  } catch (...) {
    if (made) ::rmdir(g.control.c_str());
    throw;
  }
  return made;
}

Undo::~Undo() {
  if (kept_) return;
  try {
    remove_group(g_.monitor);
    if (made_control_) remove_group(g_.control);
  } catch (const Error&) {}
}

TaskFiles::TaskFiles(const Groups& g) : control_path_(g.control + "/tasks") {
  control_ = open_for_writes(control_path_);
  if (g.monitor.empty()) return;
  monitor_path_ = g.monitor + "/tasks";
  monitor_ = open_for_writes(monitor_path_);
}

void TaskFiles::add(pid_t pid) const {
  const std::string id = std::to_string(pid);
  write_to(control_.get(), control_path_, id);
  if (monitor_) write_to(monitor_.get(), monitor_path_, id);
}

void add(const Groups& g, pid_t pid) { TaskFiles(g).add(pid); }

void add_threads(const Groups& g, const std::vector<pid_t>& pids) {
  const TaskFiles tasks(g);
  for (pid_t pid : pids) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/task";
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) continue;  // gone since it was listed
    for (const auto& [name, type] : directory_entries(fd.get(), dir)) {
      try {
        tasks.add(static_cast<pid_t>(std::stol(name)));
      } catch (const Error& e) {
        if (e.code() != ESRCH) throw;  // a thread that ended meanwhile
      }
    }
  }
}

void remove(const Groups& g) {
  remove_group(g.monitor);
  if (g.remove_control) remove_group(g.control);
}

void write_schemata(const Groups& g, const std::vector<std::string>& lines) {
  // One write: the kernel takes every line of it, or none, and wants the
  // last one ended.
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  const std::string path = g.control + "/schemata";
  write_to(open_for_writes(path).get(), path, text);
}

nlohmann::json stats(const std::string& mount, const Groups& g) {
  nlohmann::json out = nlohmann::json::object();
  const std::string info = mount + "/info/";
  struct stat st {};
  if (::stat((info + "L3").c_str(), &st) == 0) {
    nlohmann::json l3 = nlohmann::json::object();
    if (std::optional<std::string> mask = read_trimmed(info + "L3/cbm_mask"); mask && !mask->empty())
      l3["cbm_mask"] = *mask;
    set_number(l3, "min_cbm_bits", info + "L3/min_cbm_bits");
    set_number(l3, "num_closids", info + "L3/num_closids");
    out["l3_cache_info"] = l3;
    out["l3_cache_schema_root"] = schema_of(mount, "L3");
    out["l3_cache_schema"] = schema_of(g.control, "L3");
  }
  if (::stat((info + "MB").c_str(), &st) == 0) {
    nlohmann::json mb = nlohmann::json::object();
    set_number(mb, "bandwidth_gran", info + "MB/bandwidth_gran");
    set_number(mb, "delay_linear", info + "MB/delay_linear");
    set_number(mb, "min_bandwidth", info + "MB/min_bandwidth");
    set_number(mb, "num_closids", info + "MB/num_closids");
    out["mem_bw_info"] = mb;
    out["mem_bw_schema_root"] = schema_of(mount, "MB");
    out["mem_bw_schema"] = schema_of(g.control, "MB");
  }
  // Counters per L3 domain (mon_data/mon_L3_00, ...), of the container's
  // MON group, else of its CTRL_MON group.
  const std::string mon_data = (g.monitor.empty() ? g.control : g.monitor) + "/mon_data";
  nlohmann::json mbm = nlohmann::json::array();
  nlohmann::json cmt = nlohmann::json::array();
  std::vector<std::string> domains = subdirectory_paths(mon_data);
  std::sort(domains.begin(), domains.end());
  for (const std::string& domain : domains) {
    if (!domain.starts_with(mon_data + "/mon_L3_")) continue;
    std::optional<uint64_t> total = read_number(domain + "/mbm_total_bytes");
    std::optional<uint64_t> local = read_number(domain + "/mbm_local_bytes");
    if (total || local) mbm.push_back({{"mbm_total_bytes", total.value_or(0)}, {"mbm_local_bytes", local.value_or(0)}});
    if (std::optional<uint64_t> llc = read_number(domain + "/llc_occupancy")) cmt.push_back({{"llc_occupancy", *llc}});
  }
  if (!mbm.empty()) out["mbm_stats"] = mbm;
  if (!cmt.empty()) out["cmt_stats"] = cmt;
  return out;
}

}  // namespace hull::resctrl

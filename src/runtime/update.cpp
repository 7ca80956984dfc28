// update: new limits for a live container's cgroups, as `runc update` takes
// them (a linux.resources JSON, or one flag per value), applied to the
// cgroups and recorded in the saved config so later commands see them.
#include <unistd.h>

#include <algorithm>
#include <array>
#include <iterator>
#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/fault.hpp"
#include "base/fs.hpp"
#include "base/json_depth.hpp"
#include "base/warn.hpp"
#include "cgroups/cgroup_manager.hpp"
#include "cgroups/resctrl.hpp"
#include "cgroups/resources.hpp"
#include "cgroups/unset_values.hpp"
#include "runtime/container_setup.hpp"
#include "runtime/operations.hpp"
#include "runtime/units.hpp"

namespace hull {

namespace {

enum class Kind {
  Bytes,  // go-units RAMInBytes, or -1 (unlimited)
  Unsigned,
  Signed,
  Text,
  NonZero,  // an integer flag whose 0 (its default) means "unchanged"
  Ignored,  // kernel memory: read as Bytes (a typo fails, as in runc), then dropped
};

struct FlagField {
  const char* flag;
  const char* section;  // member of linux.resources
  const char* field;
  Kind kind;
  std::array<const char*, 2> v2_files;  // the cgroup v2 files it writes (a `unified` key's name), nullptr-padded
};

constexpr FlagField kFlagFields[] = {
    {"memory", "memory", "limit", Kind::Bytes, {"memory.max"}},
    {"memory-reservation", "memory", "reservation", Kind::Bytes, {"memory.low"}},
    {"memory-swap", "memory", "swap", Kind::Bytes, {"memory.swap.max"}},
    {"cpu-period", "cpu", "period", Kind::Unsigned, {"cpu.max"}},
    {"cpu-quota", "cpu", "quota", Kind::Signed, {"cpu.max"}},
    {"cpu-burst", "cpu", "burst", Kind::Unsigned, {"cpu.max.burst"}},
    {"cpu-share", "cpu", "shares", Kind::Unsigned, {"cpu.weight"}},
    {"cpu-rt-period", "cpu", "realtimePeriod", Kind::Unsigned, {}},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", Kind::Signed, {}},
    {"cpuset-cpus", "cpu", "cpus", Kind::Text, {"cpuset.cpus"}},
    {"cpuset-mems", "cpu", "mems", Kind::Text, {"cpuset.mems"}},
    {"cpu-idle", "cpu", "idle", Kind::Signed, {"cpu.idle"}},
    {"pids-limit", "pids", "limit", Kind::NonZero, {"pids.max"}},
    {"blkio-weight", "blockIO", "weight", Kind::NonZero, {"io.weight", "io.bfq.weight"}},
    // Kernel memory limits are gone from the kernel (runc ignores them too).
    {"kernel-memory", nullptr, nullptr, Kind::Ignored, {}},
    {"kernel-memory-tcp", nullptr, nullptr, Kind::Ignored, {}},
};

// An integer flag's value as runc reads it: base 10 through strconv for
// its string flags, base 0 through Go's flag package for its int flags.
nlohmann::json integer_value(const std::string& flag, const std::string& v, Kind kind) {
  return with_context("invalid value for --" + flag, [&]() -> nlohmann::json {
    switch (kind) {
      case Kind::Unsigned: return parse_go_uint(v);
      case Kind::NonZero: return parse_go_int(v, 0);
      default: return parse_go_int(v, 10);
    }
  });
}

// The flags as a linux.resources object.
nlohmann::json request_from_flags(const std::map<std::string, std::string>& flags) {
  nlohmann::json r = nlohmann::json::object();
  // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
  for (const auto& flag : flags) {
    const std::string& name = flag.first;
    const std::string& value = flag.second;
    const FlagField* f = nullptr;
    for (const FlagField& candidate : kFlagFields)
      if (name == candidate.flag) f = &candidate;
    if (f == nullptr) throw Error("update: unknown flag --" + name);
    // runc's string flags given as "" are flags not given.
    if (value.empty() && f->kind != Kind::NonZero) continue;
    nlohmann::json v;
    switch (f->kind) {
      case Kind::Bytes:
      case Kind::Ignored:
        v = value == "-1" ? nlohmann::json(-1)
                          : nlohmann::json(with_context("invalid value for --" + name,
                                                        [&value = value] { return parse_ram_in_bytes(value); }));
        break;
      case Kind::Text: v = value; break;
      default:
        v = integer_value(name, value, f->kind);
        if (f->kind == Kind::NonZero && v == 0) continue;
        break;
    }
    if (f->kind == Kind::Ignored) {
      warn("--" + name + " is ignored");
      continue;
    }
    // Checked alone first: a value out of range is then said of the flag
    // the user wrote, not only of a JSON path they never saw.
    nlohmann::json alone;
    alone[f->section][f->field] = v;
    spec::parse_resources_json(alone.dump(), "--" + name);
    r[f->section][f->field] = std::move(v);
  }
  return r;
}

// Null members mean "unchanged" (as in runc); merge_patch would delete them.
void drop_nulls(nlohmann::json& j) {
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end();) {
    if (it->is_null()) {
      it = j.erase(it);
    } else {
      drop_nulls(*it);
      ++it;
    }
  }
}

// Zeros and "" that runc's update reads as "not given" (the rule of
// cgroups/unset_values.hpp, asked of each member alone): left out, so the
// saved config keeps the value the cgroup still holds rather than recording
// one never written (`--cpu-quota 0` then read as no quota, by verify and by
// a later `--cpu-period`).
// A section left empty goes too (the saved pids would lack its required limit).
void drop_unset_values(nlohmann::json& request) {
  for (auto section = request.begin(); section != request.end();) {
    nlohmann::json& fields = *section;
    if (section.key() == "unified" || !fields.is_object() || fields.empty()) {
      ++section;
      continue;
    }
    for (auto it = fields.begin(); it != fields.end();) {
      nlohmann::json alone;
      alone[section.key()][it.key()] = *it;
      const spec::Resources kept =
          cgroups::without_unset_values(spec::parse_resources_json(alone.dump(), "linux.resources"));
      const bool set = kept.memory || kept.cpu || kept.pids || kept.blockIO;
      it = set ? std::next(it) : fields.erase(it);
    }
    section = fields.empty() ? request.erase(section) : std::next(section);
  }
}

// A member the request sets replaces a saved `unified` key that writes the
// same file (or the same value: cgroups::v2::same_value), as runc's update
// replaces the whole of `unified`: kept, it would say a value the update
// wrote over, and write it back wherever the saved config is applied again
// (a refused update's put-back lowered a memory limit to it, OOM-killing the
// container). `request` is the whole of what the update writes (its members
// and those kept with them); a key it names in `unified` itself stays.
void drop_unified_keys_written_over(nlohmann::json& saved, const nlohmann::json& request) {
  auto unified = saved.find("unified");
  if (unified == saved.end() || !unified->is_object()) return;
  const nlohmann::json* asked = request.contains("unified") ? &request["unified"] : nullptr;
  for (const FlagField& f : kFlagFields) {
    if (!f.section || !request.contains(f.section) || !request[f.section].contains(f.field)) continue;
    for (const char* file : f.v2_files) {
      if (!file) continue;
      for (auto key = unified->begin(); key != unified->end();) {
        const bool kept =
            !cgroups::v2::same_value(key.key(), file) || (asked && asked->is_object() && asked->contains(key.key()));
        key = kept ? std::next(key) : unified->erase(key);
      }
    }
  }
  if (unified->empty()) saved.erase(unified);
}

// Of values the kernel takes together, one given alone keeps the others,
// as runc's update does: a new cpu quota or period (cpu.max and systemd's
// CPUQuotaPerSecUSec take both at once, and the one left out would go back
// to its default, an unlimited quota) and the burst (checked against the
// quota, which the kernel refuses below it); a new memory limit or swap
// (cgroup v2's memory.swap.max is the swap less the limit, so a new limit
// alone would leave the old swap limit wrong, and a swap alone needs the
// limit) and checkBeforeUpdate (the container's, as runc 1.2 keeps it);
// cpu idle or shares (a group leaving idle gets the default weight, not
// its shares; one kept idle takes no weight). Where the saved config has
// no other member there is none to keep.
void keep_what_goes_together(nlohmann::json& request, const nlohmann::json& merged) {
  struct Group {
    const char* section;
    std::array<const char*, 3> members;  // nullptr-padded
  };
  static constexpr std::array<Group, 3> kGroups = {{
      {"cpu", {"quota", "period", "burst"}},
      {"memory", {"limit", "swap", "checkBeforeUpdate"}},
      {"cpu", {"idle", "shares", nullptr}},
  }};
  for (const auto& [section, members] : kGroups) {
    if (!request.contains(section) || !merged.contains(section)) continue;
    nlohmann::json& asked = request[section];
    const nlohmann::json& now = merged[section];
    if (std::none_of(members.begin(), members.end(), [&](const char* m) { return m && asked.contains(m); })) continue;
    for (const char* m : members)
      if (m && !asked.contains(m) && now.contains(m)) asked[m] = now[m];
  }
}

// The members of linux.resources that runc's update applies (and the cpu
// burst and idle of runc 1.2's); the rest of a request, device rules too,
// is left out, as runc before 1.4 leaves it (1.4 also applies blockIO's
// device weights and throttles): containerd's CRI sends a container's whole resources on every
// update, and a member runc ignores (a blockIO device that has gone since,
// a v1-only controller) must not fail it.
void keep_what_update_applies(nlohmann::json& request) {
  static const std::map<std::string, std::set<std::string>> kApplied = {
      {"memory", {"limit", "reservation", "swap", "kernel", "kernelTCP", "checkBeforeUpdate"}},
      {"cpu", {"shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems", "idle"}},
      {"blockIO", {"weight"}},
      {"pids", {"limit"}},
      {"unified", {}},
  };
  if (!request.is_object()) return;
  for (auto it = request.begin(); it != request.end();) {
    auto applied = kApplied.find(it.key());
    if (applied == kApplied.end()) {
      it = request.erase(it);
      continue;
    }
    if (!applied->second.empty() && it->is_object())
      for (auto field = it->begin(); field != it->end();)
        field = applied->second.count(field.key()) ? std::next(field) : it->erase(field);
    ++it;
  }
}

// The --l3-cache-schema and --mem-bw-schema lines, in the order the spec
// writes them, recorded in the saved config (whose parse then checks them).
// A container made without linux.intelRdt has no group to write them to.
std::vector<std::string> record_rdt_schemata(const UpdateOptions& o, const ContainerState& st, nlohmann::json& config) {
  std::vector<std::string> lines;
  if (!o.l3_cache_schema && !o.mem_bw_schema) return lines;
  const char* flag = o.l3_cache_schema ? "--l3-cache-schema" : "--mem-bw-schema";
  const resctrl::Groups groups = resctrl::Groups::recorded(st.extra, st.id);
  if (groups.empty())
    throw Error(std::string(flag) + ": the container was created without linux.intelRdt, so it has no resctrl group");
  // As create leaves a closID group as it is: one container's update must
  // not change the class of service others share (the root's least).
  if (!groups.remove_control)
    throw Error(std::string(flag) + ": the container's resctrl group " + groups.control +
                " is shared (linux.intelRdt.closID): change its schemata there, not through one container");
  nlohmann::json& rdt = config["linux"]["intelRdt"];
  if (o.l3_cache_schema) {
    rdt["l3CacheSchema"] = *o.l3_cache_schema;
    lines.push_back(*o.l3_cache_schema);
  }
  if (o.mem_bw_schema) {
    rdt["memBwSchema"] = *o.mem_bw_schema;
    lines.push_back(*o.mem_bw_schema);
  }
  return lines;
}

// The schemata lines the saved config gives the container's resctrl group.
std::vector<std::string> rdt_schemata_lines(const nlohmann::json& config) {
  std::vector<std::string> lines;
  const nlohmann::json* rdt = config.contains("linux") ? &config["linux"] : nullptr;
  if (!rdt || !rdt->contains("intelRdt") || !(*rdt)["intelRdt"].is_object()) return lines;
  for (const char* field : {"l3CacheSchema", "memBwSchema"})
    if (const nlohmann::json& line = (*rdt)["intelRdt"].value(field, nlohmann::json()); line.is_string())
      lines.push_back(line);
  return lines;
}

// Writes again what the saved config says of what an update changes: its
// members of linux.resources, and its schemata lines where the update wrote
// new ones. Best effort: what the kernel refuses now is said, not thrown
// over the error that made the update fail.
void put_back(nlohmann::json resources, const std::vector<std::string>& rdt_lines, cgroups::Manager& cgroup,
              const resctrl::Groups& rdt) noexcept {
  try {
    keep_what_update_applies(resources);
    cgroup.update(spec::parse_resources_json(resources.dump(), "the saved config"));
    if (!rdt_lines.empty()) resctrl::write_schemata(rdt, rdt_lines);
  } catch (const std::exception& e) {
    warn(std::string("the update failed, and putting back the limits the saved config gives failed too: ") + e.what());
  }
}

}  // namespace

void update_container(const GlobalOptions& g, const UpdateOptions& o) {
  // Read and check the request before taking the lock.
  std::string source = "update flags";
  nlohmann::json request;
  if (!o.resources_file.empty()) {
    source = o.resources_file == "-" ? "<stdin>" : o.resources_file;
    std::string text = o.resources_file == "-" ? read_fd(STDIN_FILENO, "standard input", spec::kMaxConfigSize)
                                               : read_file(o.resources_file, spec::kMaxConfigSize);
    // JSON null is no resources, as Go decodes it (a client marshalling a
    // nil *LinuxResources sends it): nothing changes.
    const size_t first = text.find_first_not_of(" \t\r\n");
    const size_t last = text.find_last_not_of(" \t\r\n");
    if (first != std::string::npos && text.compare(first, last - first + 1, "null") == 0) {
      request = nlohmann::json::object();
    } else {
      spec::parse_resources_json(text, source);  // throws naming the JSON path
      request = nlohmann::json::parse(text);
    }
  } else {
    request = request_from_flags(o.flags);
  }
  drop_nulls(request);
  keep_what_update_applies(request);
  // Also so that a memory limit or swap of 0 does not send the saved other
  // half alone (`--memory 0` failed with a swap limit the caller never gave).
  drop_unset_values(request);
  // As runc: unlimited memory with no swap given means unlimited swap too
  // (v1 refuses a memory limit above memsw.limit otherwise).
  if (request.contains("memory") && request["memory"].value("limit", nlohmann::json()) == -1 &&
      !request["memory"].contains("swap"))
    request["memory"]["swap"] = -1;
  spec::parse_resources_json(request.dump(), source);

  OpenedContainer c = open_container(g, o.id);
  fault_point("update-after-open");
  require_transition(o.id, c.status, Operation::Update);
  with_context("update container " + quote(o.id), [&] {
    if (c.state.cgroupPath.empty()) throw Error("it has no cgroup");
    std::string config_path = c.dir.path() + "/" + kSavedConfigName;
    std::string saved_text = read_regular_file_at(c.dir.fd(), kSavedConfigName, kMaxStateFileReadSize, config_path);
    check_json_depth(saved_text, config_path);
    nlohmann::json config = nlohmann::json::parse(saved_text);
    nlohmann::json& saved = config["linux"]["resources"];
    if (!saved.is_object()) saved = nlohmann::json::object();
    const nlohmann::json before = saved;
    const std::vector<std::string> rdt_lines_before = rdt_schemata_lines(config);
    saved.merge_patch(request);
    keep_what_goes_together(request, saved);
    drop_unified_keys_written_over(saved, request);
    spec::Resources resources = spec::parse_resources_json(request.dump(), source);
    const std::vector<std::string> rdt_lines = record_rdt_schemata(o, c.state, config);
    std::string text = config.dump();
    check_saved_config_fits(text, config_path);
    spec::parse_config(text, config_path);  // what later commands will read must parse
    cgroups::Manager cgroup = cgroups::Manager::load(c.state.cgroupPath);
    cgroup.keep_device_filters_in(StateStore(g.root).device_filter_cache());
    const resctrl::Groups rdt = resctrl::Groups::recorded(c.state.extra, c.state.id);
    // The kernel takes the writes before one it refuses, and the saved
    // config, not written then, would no longer say what the container
    // has: each file written goes back to what it held (a limit the saved
    // config does not name too), then what the saved config says is set
    // again, as runc's update does (systemd's unit properties too). So too
    // when the record cannot be written (a full or read-only --root): an
    // update that fails leaves the limits it found.
    cgroups::UndoLog undo;
    try {
      if (!rdt_lines.empty()) with_context("linux.intelRdt", [&] { resctrl::write_schemata(rdt, rdt_lines); });
      cgroup.update(resources);
      fault_point("update-after-cgroup");
      write_file_atomic(c.dir.fd(), kSavedConfigName, text);
    } catch (const Error&) {
      for (const std::string& refused : undo.undo()) warn("the update failed, and putting back " + refused);
      put_back(before, rdt_lines.empty() ? std::vector<std::string>{} : rdt_lines_before, cgroup, rdt);
      throw;
    }
  });
}

}  // namespace hull

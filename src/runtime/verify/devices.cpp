// Device rules in force: v1's devices.list is the allow list the kernel keeps
// (compared with the one the rules leave when applied in order); on v2 the
// one BPF_CGROUP_DEVICE program attached to the container's cgroup must be
// the program the rules compile to, instruction for instruction.
#include <fcntl.h>

#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "cgroups/devices.hpp"
#include "cgroups/devices_query.hpp"
#include "runtime/verify/target.hpp"

namespace hull::verify {

namespace {

using cgroups::DeviceRule;

// The v1 exception list after writing "a" to devices.deny and then each rule
// in order (security/device_cgroup.c: an allow adds its access to the entry
// with the same type and numbers, a deny removes it). nullopt when a rule
// makes the list something this model does not follow (an allow-all followed
// by more rules).
std::optional<std::set<std::string>> v1_expected_list(const std::vector<DeviceRule>& rules) {
  std::vector<DeviceRule> list;
  bool allow_all = false;
  for (const DeviceRule& r : rules) {
    bool everything = r.type == 'a' && r.major < 0 && r.minor < 0;
    if (allow_all) return std::nullopt;
    if (everything) {
      list.clear();
      allow_all = r.allow;
      continue;
    }
    auto same = std::find_if(list.begin(), list.end(), [&](const DeviceRule& e) {
      return e.type == r.type && e.major == r.major && e.minor == r.minor;
    });
    if (r.allow) {
      if (same != list.end())
        same->access |= r.access;
      else
        list.push_back(r);
    } else if (same != list.end()) {
      same->access &= static_cast<uint8_t>(~r.access);
      if (same->access == 0) list.erase(same);
    }
  }
  std::set<std::string> out;
  if (allow_all) {
    out.insert("a *:* rwm");
  } else {
    for (DeviceRule r : list) {
      r.allow = true;
      out.insert(cgroups::v1_rule_text(r));
    }
  }
  return out;
}

std::set<std::string> lines_of(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.insert(line);
  return out;
}

std::string difference(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::string out;
  for (const auto& s : a)
    if (!b.count(s)) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void check_v1(const std::string& dir, const std::vector<DeviceRule>& rules, Report& r) {
  const std::string property = "cgroup devices (devices.list)";
  auto want = v1_expected_list(rules);
  if (!want) {
    r.cannot_tell(property, std::to_string(rules.size()) + " rules", "rules after an allow-all are not modelled");
    return;
  }
  std::set<std::string> have = lines_of(cgroups::read_value(dir, "devices.list"));
  std::string extra = difference(have, *want), missing = difference(*want, have);
  std::string why;
  if (!extra.empty()) why = "allowed beyond the config: " + extra;
  if (!missing.empty()) why += std::string(why.empty() ? "" : "; ") + "missing: " + missing;
  r.check(why.empty(), property, std::to_string(want->size()) + " allow entries",
          std::to_string(have.size()) + " allow entries", why);
}

void check_v2(const std::string& dir, const std::vector<DeviceRule>& rules, Report& r) {
  const std::string property = "cgroup devices (bpf program)";
  std::vector<bpf_insn> want = cgroups::device_program(rules);
  UniqueFd fd = open_fd(dir, O_RDONLY | O_DIRECTORY);
  auto programs = cgroups::attached_device_programs(fd.get(), dir);
  std::string config = "1 program, " + std::to_string(want.size()) + " insns";
  if (programs.size() != 1) {
    r.violated(property, config, std::to_string(programs.size()) + " programs",
               programs.empty() ? "no device program is attached" : "other device programs are attached");
    return;
  }
  const auto& have = programs.front();
  bool same = have.size() == want.size() && std::memcmp(have.data(), want.data(), want.size() * sizeof(bpf_insn)) == 0;
  r.check(same, property, config, "1 program, " + std::to_string(have.size()) + " insns",
          "the attached program is not the one the config's rules compile to");
}

}  // namespace

void check_devices(const Target& t, Report& r) {
  if (!t.cgroup) return;
  const spec::Linux& l = t.linux_section();
  std::vector<DeviceRule> rules =
      cgroups::device_rules(l.resources ? l.resources->devices : std::vector<spec::DeviceCgroup>{});
  try {
    auto dir = controller_dir(*t.cgroup, "devices");
    if (dir && !dir->v2)
      check_v1(dir->path, rules, r);
    else if (!t.cgroup->paths().v2.empty())
      check_v2(t.cgroup->paths().v2, rules, r);
    else
      r.cannot_tell("cgroup devices", std::to_string(rules.size()) + " rules", "the container has no device cgroup");
  } catch (const Error& e) {
    r.cannot_tell("cgroup devices", std::to_string(rules.size()) + " rules", e.what());
  }
}

}  // namespace hull::verify

#pragma once
// Device access rules: the spec's list plus the defaults, as v1
// devices.allow/deny lines or a cgroup v2 eBPF program.
#include <linux/bpf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "spec/spec.hpp"

namespace hull::cgroups {

enum DeviceAccess : uint8_t { kMknod = 1, kRead = 2, kWrite = 4 };  // BPF_DEVCG_ACC_* values

struct DeviceRule {
  bool allow = false;
  char type = 'a';     // 'a' (all), 'c', 'b'
  int64_t major = -1;  // -1: any
  int64_t minor = -1;
  uint8_t access = kMknod | kRead | kWrite;
  bool operator==(const DeviceRule&) const = default;
};

// The effective rule list, evaluated "last match wins" over a default deny:
// linux.resources.devices in order, then runc's default allow-list (mknod of
// any c/b node; null, random, full, tty, zero, urandom; pts/*, ptmx, net/tun),
// all of it, whatever linux.devices lists. A linux.devices entry is a node to
// create, never a rule: a deny-all with no allow for it keeps it closed.
// A type "a" rule naming a major or minor is split into "c" and "b": the v1
// kernel would read "a 1:3" as every device. Throws on a bad access string or type.
std::vector<DeviceRule> device_rules(const std::vector<spec::DeviceCgroup>& resources, bool with_defaults = true);

// "c 1:3 rwm", "a *:* rwm".
std::string v1_rule_text(const DeviceRule& r);
// v1: "a" into devices.deny (default deny, clears inherited exceptions), then
// each rule into devices.allow or devices.deny in order.
void v1_set_devices(const std::string& dir, const std::vector<DeviceRule>& rules);

// The BPF_PROG_TYPE_CGROUP_DEVICE program for the rules: returns 1 (allow)
// or 0 (deny) for a bpf_cgroup_dev_ctx. Rules are tested from last to first;
// the first one matching decides; none matching denies. An allow rule matches
// when it grants every requested access bit, a deny rule when it forbids any.
// As on v1, an allow rule grants what the allow rules for the same device
// before it granted too (less what a deny for that device took out since,
// back to the last "a" rule with no numbers).
std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules);

// bpf(2) itself (no libbpf): the call's result, errno set.
long bpf_call(int cmd, bpf_attr& attr);
// Loads a device program (BPF_PROG_TYPE_CGROUP_DEVICE); a refusal names
// `what` and quotes the verifier's log.
UniqueFd load_device_program(const std::vector<bpf_insn>& prog, const std::string& what);

// Loads the program (or takes one loaded earlier for the same rules, through
// the cache directory `filter_cache`, a path, empty for none:
// device_filter_cache.hpp) and attaches it to the cgroup directory fd with
// BPF_F_ALLOW_MULTI, then, with `replace`, detaches the programs that were
// there before, so the cgroup is never without a filter while rules are
// replaced. Without it (a cgroup this create just made, which holds no
// program) there is no BPF_PROG_QUERY: that takes cgroup_mutex, which every
// cgroup creation and removal on the host waits for.
void v2_set_devices(int cgroup_fd, const std::string& cgroup_path, const std::vector<DeviceRule>& rules, bool replace,
                    const std::string& filter_cache = {});

}  // namespace hull::cgroups

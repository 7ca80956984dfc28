#include "process/capabilities.hpp"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string>

#include "base/errno_text.hpp"
#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/log.hpp"
#include "base/warn.hpp"

namespace hull::process {
namespace {

constexpr std::array<std::string_view, 41> kCapabilityNames = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
static_assert(kCapabilityNames.size() == CAP_CHECKPOINT_RESTORE + 1);

uint64_t to_mask(const std::optional<std::vector<std::string>>& names, const char* set, int last_cap) {
  uint64_t mask = 0;
  if (!names) return mask;
  for (const auto& name : *names) {
    auto n = capability_from_name(name);
    if (!n) {
      warn("process.capabilities." + std::string(set) + ": unknown capability " + quote(name) + " ignored");
      continue;
    }
    if (*n > last_cap) {
      warn("process.capabilities." + std::string(set) + ": " + name +
           " is not supported by the running kernel; ignored");
      continue;
    }
    mask |= uint64_t{1} << *n;
  }
  return mask;
}

std::string cap_name(int n) {
  return n < static_cast<int>(kCapabilityNames.size()) ? std::string(kCapabilityNames[n])
                                                       : "capability " + std::to_string(n);
}

}  // namespace

std::span<const std::string_view> known_capability_names() { return kCapabilityNames; }

std::optional<int> capability_from_name(std::string_view name) {
  for (size_t i = 0; i < kCapabilityNames.size(); ++i)
    if (kCapabilityNames[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

namespace {

// Where a filter hull runs under refuses PR_CAPBSET_READ itself: the
// sysctl, read through the /proc of the moment (the runtime's, before the
// clone: process::ExecOptions::last_cap; cap_last_cap is the kernel's in
// every namespace).
int last_cap_from_sysctl(int read_err) {
  const std::string path = "/proc/sys/kernel/cap_last_cap";
  std::string why;
  try {
    const std::string text = read_file(path, 16);
    int last = -1;
    std::from_chars(text.data(), text.data() + text.size(), last);
    if (last >= 0 && last <= 63) return last;
    why = "not a capability number: \"" + text + "\"";
  } catch (const Error& e) {
    why = e.what();
  }
  throw Error("learn the kernel's last capability: prctl(PR_CAPBSET_READ) is refused (" + errno_text(read_err) +
              "), and " + path + ": " + why +
              " (mount proc where hull runs, or allow prctl(PR_CAPBSET_READ) in the caller's seccomp profile)");
}

}  // namespace

int kernel_last_cap() {
  // The kernel's own answer first, not /proc/sys/kernel/cap_last_cap:
  // PR_CAPBSET_READ fails with EINVAL exactly for numbers past its last
  // capability. No file to open in the init on its way to execve (a sysctl
  // lookup costs more than these six calls), and nothing the container's
  // mounts could forge. Capability 0 always exists: any other failure is a
  // filter's, which would leave the answer a guess (63, and every drop past
  // the kernel's last failing): the sysctl answers then.
  //
  // Every kernel hull runs on (openat2: Linux 5.6) has CAP_AUDIT_READ (37):
  // an EINVAL at or below it is a filter's too, and a search believing it
  // would leave the container every capability above it.
  constexpr int kOldestLastCap = 37;
  int lo = kOldestLastCap, hi = 63;
  if (::prctl(PR_CAPBSET_READ, kOldestLastCap, 0, 0, 0) < 0) return last_cap_from_sysctl(errno);
  while (lo < hi) {
    int mid = (lo + hi + 1) / 2;
    if (::prctl(PR_CAPBSET_READ, mid, 0, 0, 0) >= 0) {
      lo = mid;
    } else if (errno == EINVAL) {
      hi = mid - 1;
    } else {
      return last_cap_from_sysctl(errno);
    }
  }
  return lo;
}

CapabilitySets capability_sets(const std::optional<spec::Capabilities>& caps, int last_cap) {
  CapabilitySets s;
  if (!caps) return s;
  s.bounding = to_mask(caps->bounding, "bounding", last_cap);
  s.effective = to_mask(caps->effective, "effective", last_cap);
  s.permitted = to_mask(caps->permitted, "permitted", last_cap);
  s.inheritable = to_mask(caps->inheritable, "inheritable", last_cap);
  s.ambient = to_mask(caps->ambient, "ambient", last_cap);
  return s;
}

HeldCapabilities held_capabilities() {
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  if (::capget(&hdr, data) < 0) throw_errno("capget: the capabilities the runtime holds");
  return {uint64_t{data[0].permitted} | uint64_t{data[1].permitted} << 32,
          uint64_t{data[0].effective} | uint64_t{data[1].effective} << 32};
}

void leave_out_ungrantable(CapabilitySets& sets, uint64_t held) {
  const uint64_t asked = sets.bounding | sets.effective | sets.permitted | sets.inheritable | sets.ambient;
  const uint64_t missing = asked & ~held;
  if (!missing) return;
  for (int n = 0; n < 64; ++n) {
    const uint64_t bit = uint64_t{1} << n;
    if (!(missing & bit)) continue;
    std::string in;
    for (auto [set, name] : {std::pair{sets.bounding, "bounding"},
                             {sets.effective, "effective"},
                             {sets.permitted, "permitted"},
                             {sets.inheritable, "inheritable"},
                             {sets.ambient, "ambient"}})
      if (set & bit) in += (in.empty() ? "" : ", ") + std::string(name);
    warn("process.capabilities: " + cap_name(n) + " cannot be granted, the runtime does not hold it; left out of " +
         in);
  }
  for (uint64_t* set : {&sets.bounding, &sets.effective, &sets.permitted, &sets.inheritable, &sets.ambient})
    *set &= ~missing;
}

// Every failure is an error, EINVAL too: last_cap is the kernel's own, so
// the kernel knows each number here, and only a filter hull runs under
// answers EINVAL for one (a container left with its full bounding set,
// silently, as runc 1.1 leaves it).
void drop_bounding_set(const CapabilitySets& sets, int last_cap) {
  for (int n = 0; n <= last_cap; ++n) {
    if (sets.bounding & (uint64_t{1} << n)) continue;
    if (::prctl(PR_CAPBSET_DROP, n, 0, 0, 0) < 0) throw_errno("drop " + cap_name(n) + " from the bounding set");
  }
}

void keep_caps_across_setuid() {
  if (::prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) throw_errno("prctl(PR_SET_KEEPCAPS, 1)");
}

namespace {

std::string names_in(uint64_t set) {
  std::string out;
  for (int n = 0; n < 64; ++n)
    if (set & (uint64_t{1} << n)) out += (out.empty() ? "" : ", ") + cap_name(n);
  return out;
}

// Why capset(2) said EPERM: which of its rules that a config can break
// (effective within permitted, inheritable within the bounding set) it did.
std::string capset_refusal(uint64_t eff, uint64_t prm, uint64_t inh, uint64_t bounding) {
  if (uint64_t extra = eff & ~prm)
    return " (effective must be a subset of permitted; not in permitted: " + names_in(extra) + ")";
  if (uint64_t extra = inh & ~bounding)
    return " (inheritable must be a subset of bounding; not in bounding: " + names_in(extra) + ")";
  return "";
}

}  // namespace

void apply_capability_sets(const CapabilitySets& sets, uint64_t extra) {
  if (::prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) throw_errno("prctl(PR_SET_KEEPCAPS, 0)");

  // capset(2) directly: one call with all three sets, no allocation. The
  // inheritable set is exactly the config's, so empty unless asked for: a
  // non-empty inheritable set let file capabilities of any binary in the
  // image grant themselves to an unprivileged user (CVE-2022-29162).
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2] = {};
  uint64_t eff = sets.effective | extra, prm = sets.permitted | extra, inh = sets.inheritable;
  data[0].effective = static_cast<uint32_t>(eff);
  data[1].effective = static_cast<uint32_t>(eff >> 32);
  data[0].permitted = static_cast<uint32_t>(prm);
  data[1].permitted = static_cast<uint32_t>(prm >> 32);
  data[0].inheritable = static_cast<uint32_t>(inh);
  data[1].inheritable = static_cast<uint32_t>(inh >> 32);
  if (::capset(&hdr, data) < 0) {
    int err = errno;
    throw_errno(err, "set the effective, permitted and inheritable capabilities (capset)" +
                         (err == EPERM ? capset_refusal(eff, prm, inh, sets.bounding) : std::string()));
  }

  // Ambient last: raising one needs it in permitted and inheritable already.
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    throw_errno("clear the ambient capabilities");
  for (int n = 0; n < 64; ++n) {
    if (!(sets.ambient & (uint64_t{1} << n))) continue;
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, n, 0, 0) < 0 && log::to_file()) {
      // A config that lists an ambient capability missing from permitted or
      // inheritable still runs, without it, and silently as with runc (buildah
      // lists ambient without inheritable on every RUN step): the client
      // cannot act on it. The detail goes to the --log file with --debug,
      // never to stderr, which here is already the container's.
      int err = errno;
      log::debug([&] {
        return "process.capabilities.ambient: cannot raise " + cap_name(n) + " (" +
               (err == EPERM ? "it must also be in permitted and inheritable" : errno_text(err)) + ")";
      });
    }
  }
}

}  // namespace hull::process

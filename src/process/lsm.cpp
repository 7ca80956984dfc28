#include "process/lsm.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"
#include "base/warn.hpp"

namespace hull::process {
namespace {

std::optional<std::string> try_read(const std::string& path) {
  try {
    return read_file(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// path relative to the procfs root ("self/attr/current"), read through
// base/procfs: the container's /proc may be anything by now.
std::optional<std::string> try_read_proc(const std::string& path) {
  try {
    return procfs::read(path);
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool exists(const char* path) { return ::access(path, F_OK) == 0; }

// Writes the whole value in one write(2): the LSM parses each write as one
// command. path is relative to the procfs root, as for try_read_proc.
int write_attr(const std::string& path, const std::string& value) {
  UniqueFd owner;
  try {
    owner = procfs::open(path, O_WRONLY);
  } catch (const Error& e) {
    return e.code() ? e.code() : EIO;
  }
  int fd = owner.get();
  ssize_t n = ::write(fd, value.data(), value.size());
  if (n < 0) return errno;
  return n == static_cast<ssize_t>(value.size()) ? 0 : EIO;
}

}  // namespace

bool apparmor_enabled() {
  if (auto flag = try_read("/sys/module/apparmor/parameters/enabled")) return flag->starts_with("Y");
  // No sysfs in the container: the per-LSM proc directory exists only when
  // AppArmor is active (built in but disabled, reading it gives EINVAL).
  return try_read_proc("self/attr/apparmor/current").has_value();
}

bool selinux_enabled() {
  if (exists("/sys/fs/selinux/enforce")) return true;
  // A SELinux context is "user:role:type[:level]"; AppArmor's attr/current is
  // "unconfined" or "profile (mode)"; with no major LSM the read fails.
  auto cur = try_read_proc("self/attr/current");
  return cur && std::count(cur->begin(), cur->end(), ':') >= 2 && cur->find(' ') == std::string::npos;
}

std::vector<std::string> usable_lsms() {
  std::vector<std::string> out;
  if (apparmor_enabled()) out.push_back("apparmor");
  if (selinux_enabled()) out.push_back("selinux");
  return out;
}

namespace {
// "unconfined" asks for no profile, which is what a process has where
// AppArmor is off: nothing to refuse, nothing to write (runc fails writing
// it there; crun takes it).
bool wants_apparmor_profile(const std::optional<std::string>& profile) {
  return profile && !profile->empty() && !(*profile == "unconfined" && !apparmor_enabled());
}
}  // namespace

void check_lsm_labels(const spec::Spec& spec) {
  const auto& p = spec.process;
  if (p && wants_apparmor_profile(p->apparmorProfile) && !apparmor_enabled())
    throw Error("process.apparmorProfile " + quote(*p->apparmorProfile) +
                ": AppArmor is not enabled on this host; refusing to run the container unconfined");
  if (p && p->selinuxLabel && !p->selinuxLabel->empty() && !selinux_enabled())
    throw Error("process.selinuxLabel " + quote(*p->selinuxLabel) +
                ": SELinux is not enabled on this host; refusing to run the container unconfined");
  if (spec.linux_ && spec.linux_->mountLabel && !spec.linux_->mountLabel->empty() && !selinux_enabled())
    throw Error("linux.mountLabel " + quote(*spec.linux_->mountLabel) + ": SELinux is not enabled on this host");
}

void apply_lsm_labels(const spec::Spec& spec) {
  check_lsm_labels(spec);
  const auto& p = spec.process;
  if (!p) return;
  if (wants_apparmor_profile(p->apparmorProfile)) {
    const std::string& profile = *p->apparmorProfile;
    // The AppArmor-specific file first (stacking kernels, 5.1+), the shared one
    // on older kernels where AppArmor is the only major LSM.
    int err = write_attr("self/attr/apparmor/exec", "exec " + profile);
    if (err == ENOENT) err = write_attr("self/attr/exec", "exec " + profile);
    if (err != 0)
      throw_errno(err, "process.apparmorProfile: set exec profile " + quote(profile) +
                           (err == ENOENT || err == EINVAL ? " (is the profile loaded? apparmor_parser -a)" : ""));
  }
  if (p->selinuxLabel && !p->selinuxLabel->empty()) {
    const std::string& label = *p->selinuxLabel;
    if (int err = write_attr("self/attr/exec", label))
      throw_errno(err, "process.selinuxLabel: set exec label " + quote(label));
  }
}

void label_keys_it_creates(const spec::Spec& spec) {
  const auto& p = spec.process;
  if (!p || !p->selinuxLabel || p->selinuxLabel->empty() || !selinux_enabled()) return;
  if (int err = write_attr("self/attr/keycreate", *p->selinuxLabel))
    warn("process.selinuxLabel: cannot label the session keyring: " + std::string(std::strerror(err)));
}

}  // namespace hull::process

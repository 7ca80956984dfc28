#include "process/identity.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"

namespace hull::process {
namespace {

// In a user namespace whose /proc/self/setgroups says "deny", setgroups(2)
// always fails with EPERM (the rootless case).
bool setgroups_denied() {
  try {
    return procfs::read("self/setgroups").starts_with("deny");
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

void set_identity(const spec::User& user, bool effective_only) {
  // validate_for_create refuses them; (uid_t)-1 would be "no change" and
  // leave the process the runtime's root.
  if (user.uid == static_cast<uint32_t>(-1) || user.gid == static_cast<uint32_t>(-1))
    throw Error("uid and gid 4294967295 are not ids: set*id(2) would leave the process root");
  // Groups first, always: an empty additionalGids must still drop the
  // supplementary groups the runtime had (root's, or the host user's), or the
  // container process keeps the host's group access.
  const auto& gids = user.additionalGids;
  std::vector<gid_t> groups(gids.begin(), gids.end());
  // Once each, as runc: the kernel keeps duplicates (and counts them against
  // NGROUPS_MAX), and sorts the list anyway.
  std::sort(groups.begin(), groups.end());
  groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
  if (::setgroups(groups.size(), groups.data()) < 0) {
    int err = errno;
    if (!(err == EPERM && groups.empty() && setgroups_denied())) {
      std::string listed;
      for (gid_t g : groups) listed += (listed.empty() ? "" : " ") + std::to_string(g);
      const char* why = err == EPERM && setgroups_denied()
                            ? " (denied in this user namespace: /proc/self/setgroups is \"deny\")"
                        : err == EINVAL ? " (a gid not mapped in the user namespace)"
                                        : "";
      throw_errno(err, "setgroups(additionalGids [" + listed + "])" + why);
    }
  }
  if (::setresgid(user.gid, user.gid, user.gid) < 0)
    throw_errno("setresgid(" + std::to_string(user.gid) + ")" +
                (errno == EINVAL ? " (gid not mapped in the user namespace)" : ""));
  if (effective_only) {
    if (::setresuid(static_cast<uid_t>(-1), user.uid, static_cast<uid_t>(-1)) < 0)
      throw_errno("setresuid(-1, " + std::to_string(user.uid) + ", -1)" +
                  (errno == EINVAL ? " (uid not mapped in the user namespace)" : ""));
    return;
  }
  complete_uid(user);
}

bool uid_complete(const spec::User& user) {
  uid_t r, e, s;
  return ::getresuid(&r, &e, &s) == 0 && r == user.uid && e == user.uid && s == user.uid;
}

void complete_uid(const spec::User& user) {
  if (::setresuid(user.uid, user.uid, user.uid) < 0)
    throw_errno("setresuid(" + std::to_string(user.uid) + ")" +
                (errno == EINVAL ? " (uid not mapped in the user namespace)" : ""));
}

void give_stdio_to(uid_t uid) {
  for (int fd = 0; fd <= 2; ++fd) {
    struct stat st {};
    if (::fstat(fd, &st) < 0) continue;  // closed: nothing to reopen
    // Never a character device: /dev/null, or a terminal an engine passed
    // (runc would hand it over, and its new owner could type into the
    // session through TIOCSTI).
    if (st.st_uid == uid || S_ISCHR(st.st_mode)) continue;
    // The uid only: the group the engine gave may be the one that counts.
    if (::fchown(fd, uid, st.st_gid) < 0 && errno != EINVAL && errno != EPERM && errno != EROFS)
      throw_errno("give the standard stream on fd " + std::to_string(fd) + " to uid " + std::to_string(uid));
  }
}

void set_umask(const spec::User& user) { ::umask(static_cast<mode_t>(user.umask.value_or(022) & 0777)); }

}  // namespace hull::process

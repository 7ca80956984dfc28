#include "rootfs/overlay.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "rootfs/mount_api.hpp"

namespace hull::rootfs {
namespace {

UniqueFd make_dir(int parent, const char* name, const std::string& shown) {
  if (::mkdirat(parent, name, 0700) < 0 && errno != EEXIST) throw_errno("overlay rootfs: mkdir " + quote(shown));
  UniqueFd fd(::openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw_errno("overlay rootfs: open " + quote(shown));
  return fd;
}

}  // namespace

std::string overlay_escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ',')
      throw Error("overlay rootfs: path " + quote(path) + " contains a ',', which overlayfs options cannot hold");
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

Error overlay_dir_exists(const std::string& dir) {
  return Error("overlay rootfs: " + dir +
                   " exists already (another container's of this id, under another --root, or a failed "
                   "create's): remove it, or name another overlay directory",
               EEXIST);
}

void mount_overlay_rootfs(const std::string& rootfs, const std::string& dir, const SharedFlag* claimed) {
  UniqueFd lower = open_fd(rootfs, O_RDONLY | O_DIRECTORY);
  // The directory itself (<state dir>/overlay by default) is made here, as
  // the container's root (in a user namespace, the host's root could make
  // one the container could not enter); its parent must exist.
  if (::mkdir(dir.c_str(), 0700) < 0) {
    // In a user namespace the container's root may not write the state
    // directory, which is host root's alone (the default place).
    if (errno == EACCES)
      throw_errno("overlay rootfs: mkdir " + quote(dir) +
                  " (the container's root, which makes it, may not write there: in a user namespace give "
                  "--overlay-dir a directory it may write)");
    if (errno != EEXIST) throw_errno("overlay rootfs: mkdir " + quote(dir));
    if (claimed) throw overlay_dir_exists(dir);
  } else if (claimed) {
    claimed->set();
  }
  UniqueFd parent = open_fd(dir, O_RDONLY | O_DIRECTORY);
  UniqueFd upper = make_dir(parent.get(), "upper", dir + "/upper");
  make_dir(parent.get(), "work", dir + "/work");

  struct stat st {};
  if (::fstat(lower.get(), &st) < 0) throw_errno("overlay rootfs: stat " + quote(rootfs));
  if (::fchown(upper.get(), st.st_uid, st.st_gid) < 0 || ::fchmod(upper.get(), st.st_mode & 07777) < 0) {
    throw_errno("overlay rootfs: give " + quote(dir + "/upper") + " the owner and mode of the rootfs");
  }

  std::string data = "lowerdir=" + overlay_escape(rootfs) + ",upperdir=" + overlay_escape(dir + "/upper") +
                     ",workdir=" + overlay_escape(dir + "/work");
  mount_on_fd("overlay", lower.get(), "overlay", 0, data,
              "overlay rootfs: " + describe_mount("overlay", rootfs, "overlay", 0, data));
}

}  // namespace hull::rootfs

#include "cgroups/subtree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/cgroupfs.hpp"

namespace hull::cgroups {

namespace {

constexpr size_t kWholePathUpTo = 512;

// The sub-cgroups' names in the directory open as fd.
std::vector<std::string> sub_names(int fd, const SubCgroup& where) {
  std::vector<std::string> out;
  for (auto& [name, type] : directory_entries(fd, where.text()))
    if (type == DT_DIR) out.push_back(std::move(name));
  return out;
}

}  // namespace

std::string SubCgroup::text() const {
  size_t size = top.size();
  for (const std::string& n : names) size += n.size() + 1;
  std::string out = top;
  if (size <= kWholePathUpTo || names.empty()) {
    for (const std::string& n : names) out += "/" + n;
    return out;
  }
  return out + "/…/" + names.back() + " (" + std::to_string(names.size()) + " levels below " + top + ")";
}

bool walk_below(const std::string& top, const EnterSubCgroup& enter, const LeaveSubCgroup& leave) {
  std::vector<std::string> names;
  const SubCgroup here{top, names};
  UniqueFd fd;
  try {
    fd = open_path(top, O_RDONLY | O_DIRECTORY);
  } catch (const Error& e) {
    if (cgroup_gone(e.code())) return true;
    throw;
  }
  // Per level from the top: the names still to visit there.
  std::vector<std::vector<std::string>> pending{sub_names(fd.get(), here)};
  while (!pending.empty()) {
    if (!pending.back().empty()) {
      names.push_back(std::move(pending.back().back()));
      pending.back().pop_back();
      UniqueFd sub(::openat(fd.get(), names.back().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub) {
        if (!cgroup_gone(errno)) throw_errno("open " + here.text());
        names.pop_back();
        continue;
      }
      if (enter && !enter(sub.get(), here)) return false;
      pending.push_back(sub_names(sub.get(), here));
      fd = std::move(sub);
      continue;
    }
    pending.pop_back();
    if (pending.empty()) break;
    UniqueFd parent(::openat(fd.get(), "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!parent) throw_errno("open the parent of " + here.text());
    fd = std::move(parent);
    if (leave && !leave(fd.get(), here)) return false;
    names.pop_back();
  }
  return true;
}

bool has_sub_cgroups(const std::string& dir) noexcept {
  At p = at(dir);
  struct stat st {};
  // 1: a file system that does not count them (a test's stand-in tree).
  return ::fstatat(p.dir, p.rel, &st, 0) == 0 && st.st_nlink != 2;
}

}  // namespace hull::cgroups

#include "namespaces/time_namespace.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/procfs.hpp"

namespace hull::ns {

std::string timens_offsets_text(const std::map<std::string, spec::TimeOffset>& offsets) {
  std::string text;
  for (const auto& [clock, o] : offsets)
    text += clock + " " + std::to_string(o.secs) + " " + std::to_string(o.nanosecs) + "\n";
  return text;
}

UniqueFd open_timens_offsets() {
  return with_context("write linux.timeOffsets", [] { return procfs::open("self/timens_offsets", O_WRONLY); });
}

void enter_time_namespace_with_offsets(int offsets_fd, const std::map<std::string, spec::TimeOffset>& offsets) {
  if (::unshare(CLONE_NEWTIME) < 0) throw_errno("create the time namespace");
  const std::string text = timens_offsets_text(offsets);
  // One write: the kernel takes the offsets only as a whole.
  if (::write(offsets_fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
    throw_errno("write linux.timeOffsets to /proc/self/timens_offsets");
  UniqueFd ns = procfs::open_link_target("self/ns/time_for_children", O_RDONLY);
  if (::setns(ns.get(), CLONE_NEWTIME) < 0) throw_errno("enter the time namespace");
}

}  // namespace hull::ns

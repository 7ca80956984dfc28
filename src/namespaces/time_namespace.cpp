#include "namespaces/time_namespace.hpp"

#include <fcntl.h>
#include <sched.h>

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

void enter_time_namespace_with_offsets(const std::map<std::string, spec::TimeOffset>& offsets) {
  if (::unshare(CLONE_NEWTIME) < 0) throw_errno("create the time namespace");
  with_context("write linux.timeOffsets", [&] { procfs::write("self/timens_offsets", timens_offsets_text(offsets)); });
  UniqueFd ns = procfs::open_link_target("self/ns/time_for_children", O_RDONLY);
  if (::setns(ns.get(), CLONE_NEWTIME) < 0) throw_errno("enter the time namespace");
}

}  // namespace hull::ns

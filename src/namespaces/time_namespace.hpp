#pragma once
// A time namespace with linux.timeOffsets. Offsets can only be written while
// the namespace holds no process, and a clone3(CLONE_NEWTIME) child is in its
// namespace from the start, so the init instead unshares one for its
// children, writes the offsets, and enters it with setns before execve.
#include <map>
#include <string>

#include "base/unique_fd.hpp"

#include "spec/spec.hpp"

namespace hull::ns {

// The /proc/<pid>/timens_offsets text for the offsets: "monotonic 5 0\n...".
std::string timens_offsets_text(const std::map<std::string, spec::TimeOffset>& offsets);

// /proc/self/timens_offsets, opened for writing. Opened by the init while
// the file is its own (host root's, or a rootless caller's while the init is
// dumpable): once it is the root of its user namespace the file of a
// non-dumpable process is closed to it. The kernel checks CAP_SYS_TIME on
// the opener's credentials, not the writer's.
UniqueFd open_timens_offsets();

// In the init: unshare(CLONE_NEWTIME), write the offsets to offsets_fd
// (open_timens_offsets), setns into it.
void enter_time_namespace_with_offsets(int offsets_fd, const std::map<std::string, spec::TimeOffset>& offsets);

}  // namespace hull::ns

#pragma once
// A time namespace with linux.timeOffsets. Offsets can only be written while
// the namespace holds no process, and a clone3(CLONE_NEWTIME) child is in its
// namespace from the start, so the init instead unshares one for its
// children, writes the offsets, and enters it with setns before execve.
#include <map>
#include <string>

#include "spec/spec.hpp"

namespace hull::ns {

// The /proc/<pid>/timens_offsets text for the offsets: "monotonic 5 0\n...".
std::string timens_offsets_text(const std::map<std::string, spec::TimeOffset>& offsets);

// In the init: unshare(CLONE_NEWTIME), write the offsets, setns into it.
void enter_time_namespace_with_offsets(const std::map<std::string, spec::TimeOffset>& offsets);

}  // namespace hull::ns

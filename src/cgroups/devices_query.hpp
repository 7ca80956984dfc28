#pragma once
// Reading back the cgroup v2 device programs attached to a cgroup, for
// `hull verify`: what the kernel runs, as the instructions it was given.
#include <linux/bpf.h>

#include <string>
#include <vector>

namespace hull::cgroups {

// The BPF_CGROUP_DEVICE programs attached to the cgroup directory fd (not
// those inherited from ancestors), each as its translated instructions
// (BPF_OBJ_GET_INFO_BY_FD xlated_prog_insns). Throws hull::Error naming `what`.
std::vector<std::vector<bpf_insn>> attached_device_programs(int cgroup_fd, const std::string& what);

// Their ids only (BPF_PROG_QUERY): what create replaces and verify reads.
std::vector<uint32_t> attached_device_program_ids(int cgroup_fd, const std::string& what);

}  // namespace hull::cgroups

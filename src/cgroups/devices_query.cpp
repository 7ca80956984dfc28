#include "cgroups/devices_query.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "cgroups/devices.hpp"

namespace hull::cgroups {

long bpf_call(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

namespace {

std::vector<bpf_insn> program_instructions(uint32_t id, const std::string& what) {
  bpf_attr get{};
  get.prog_id = id;
  long fd = bpf_call(BPF_PROG_GET_FD_BY_ID, get);
  if (fd < 0) throw_errno("open device program " + std::to_string(id) + " of " + what);
  UniqueFd prog(static_cast<int>(fd));
  // First the length, then the instructions.
  bpf_prog_info info{};
  bpf_attr attr{};
  attr.info.bpf_fd = static_cast<uint32_t>(prog.get());
  attr.info.info_len = sizeof info;
  attr.info.info = reinterpret_cast<uint64_t>(&info);
  if (bpf_call(BPF_OBJ_GET_INFO_BY_FD, attr) < 0) throw_errno("read device program " + std::to_string(id));
  std::vector<bpf_insn> insns(info.xlated_prog_len / sizeof(bpf_insn));
  info = bpf_prog_info{};
  info.xlated_prog_len = static_cast<uint32_t>(insns.size() * sizeof(bpf_insn));
  info.xlated_prog_insns = reinterpret_cast<uint64_t>(insns.data());
  attr = bpf_attr{};
  attr.info.bpf_fd = static_cast<uint32_t>(prog.get());
  attr.info.info_len = sizeof info;
  attr.info.info = reinterpret_cast<uint64_t>(&info);
  if (bpf_call(BPF_OBJ_GET_INFO_BY_FD, attr) < 0) throw_errno("read device program " + std::to_string(id));
  insns.resize(info.xlated_prog_len / sizeof(bpf_insn));
  return insns;
}

}  // namespace

std::vector<uint32_t> attached_device_program_ids(int cgroup_fd, const std::string& what) {
  std::vector<uint32_t> ids(64);
  bpf_attr attr{};
  attr.query.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  attr.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (bpf_call(BPF_PROG_QUERY, attr) < 0) throw_errno("query the device programs of " + what);
  ids.resize(attr.query.prog_cnt);
  return ids;
}

std::vector<std::vector<bpf_insn>> attached_device_programs(int cgroup_fd, const std::string& what) {
  std::vector<std::vector<bpf_insn>> out;
  for (uint32_t id : attached_device_program_ids(cgroup_fd, what)) out.push_back(program_instructions(id, what));
  return out;
}

}  // namespace hull::cgroups

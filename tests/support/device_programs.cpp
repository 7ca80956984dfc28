#include "device_programs.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/unique_fd.hpp"

namespace hull::itest {
namespace {

long bpf_call(int cmd, bpf_attr& attr) { return ::syscall(SYS_bpf, cmd, &attr, sizeof attr); }

UniqueFd open_dir(const std::string& dir) { return UniqueFd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)); }

}  // namespace

std::vector<uint32_t> device_programs(const std::string& dir) {
  UniqueFd cg = open_dir(dir);
  std::vector<uint32_t> ids(16);
  bpf_attr q{};
  q.query.target_fd = static_cast<uint32_t>(cg.get());
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = reinterpret_cast<uint64_t>(ids.data());
  q.query.prog_cnt = static_cast<uint32_t>(ids.size());
  if (!cg || bpf_call(BPF_PROG_QUERY, q) < 0) {
    ADD_FAILURE() << "query the device programs of " << dir << ": " << std::strerror(errno);
    return {};
  }
  ids.resize(q.query.prog_cnt);
  return ids;
}

bool attach_allow_all(const std::string& dir) {
  bpf_insn prog[] = {{BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
  static const char license[] = "GPL";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(prog);
  load.insn_cnt = 2;
  load.license = reinterpret_cast<uint64_t>(license);
  long fd = bpf_call(BPF_PROG_LOAD, load);
  if (fd < 0) return false;
  UniqueFd prog_fd(static_cast<int>(fd));
  UniqueFd cg = open_dir(dir);
  bpf_attr attach{};
  attach.target_fd = static_cast<uint32_t>(cg.get());
  attach.attach_bpf_fd = static_cast<uint32_t>(prog_fd.get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  return cg && bpf_call(BPF_PROG_ATTACH, attach) == 0;
}

}  // namespace hull::itest

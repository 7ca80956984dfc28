#pragma once
// The process `hull exec` runs, from its flags on top of the container's
// process (or from --process), as runc builds it.
#include <cstdint>
#include <optional>
#include <string_view>

#include "runtime/operations.hpp"
#include "spec/spec.hpp"

namespace hull {

struct ExecUser {
  uint32_t uid = 0;
  std::optional<uint32_t> gid;
};

// Strict "uid[:gid]": decimal digits only; "1:", ":1", "0x1", "-1", "+1" and
// values past 2^31-1 (runc's range) are refused (CVE-2026-30892: a lax parser turned
// malformed ids into 0, i.e. root).
ExecUser parse_exec_user(std::string_view s);

spec::Process build_exec_process(const spec::Process& base, const ExecOptions& o);

// A process read from `exec --process`, with what it leaves out
// (capabilities, rlimits, oomScoreAdj, LSM labels) taken from the
// container's process, as runc does.
spec::Process exec_process_from_file(const spec::Process& container, spec::Process p);

}  // namespace hull

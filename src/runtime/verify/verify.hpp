#pragma once
// hull verify: a live container checked against the config it was created
// with, from the kernel's own view (/proc/<pid>/..., cgroup files, bpf(2)
// queries). Nothing is taken from hull's own records but the saved config and
// where the container is (init pid, cgroup paths, rootfs): a limit, mount or
// capability changed behind hull's back shows as a violated row.
#include <string>
#include <vector>

#include "runtime/operations.hpp"

namespace hull::verify {

enum class Verdict { Holds, Violated, CannotTell };
const char* to_string(Verdict v);  // "holds", "violated", "cannot tell"

// One promise of the config and what the kernel shows.
struct Row {
  std::string property;  // "namespace net", "cgroup memory.max", "mount /proc", ...
  std::string config;    // what the config says
  std::string kernel;    // what the kernel shows
  Verdict verdict = Verdict::Holds;
  std::string why;  // for violated and cannot tell: the reason in words
};

// Every row for container `id` (running or paused). Throws hull::Error when
// the container does not exist or is not running or paused.
std::vector<Row> verify_container(const GlobalOptions& g, const std::string& id);

// True when no row is violated.
bool all_hold(const std::vector<Row>& rows);

// ps-style columns PROPERTY CONFIG KERNEL VERDICT, one line per row.
std::string format_table(const std::vector<Row>& rows);
// A JSON array of {"property","config","kernel","verdict","why"}.
std::string format_json(const std::vector<Row>& rows);

}  // namespace hull::verify

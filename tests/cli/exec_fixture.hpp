#pragma once
// `hull exec` tests: a running container (its init sleeping) and the exec'd
// process checked from inside, against what the host sees of the init.
#include <sys/types.h>

#include <string>
#include <vector>

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {

class ExecTest : public HullTest {
 protected:
  // `hull create --bundle b id` + `hull start id` with b's args set to
  // `sleep 1000`: the init's pid as the host sees it; 0 and a test failure
  // when a command fails.
  pid_t start_sleeping(Bundle& b, const std::string& id);
  // The same with a default bundle of its own.
  pid_t start_sleeping(const std::string& id);

  // `hull exec args...` (flags, id, command), attached.
  ProcResult exec(std::vector<std::string> args, const SpawnOptions& opts = {});
};

}  // namespace hull::itest

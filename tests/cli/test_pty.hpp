#pragma once
// A pty of the test's own (from the host's /dev/ptmx), and a process run
// with it as its stdin, stdout and stderr: a caller at a terminal.
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "process.hpp"

namespace hull::itest {

struct TestPty {
  UniqueFd master;  // empty when no pty could be made
  std::string slave_path;
};
TestPty open_test_pty();

// argv with fds 0-2 on the pty's slave (opened by a shell before the exec).
Child spawn_on_terminal(const std::string& slave_path, const std::vector<std::string>& argv);

}  // namespace hull::itest

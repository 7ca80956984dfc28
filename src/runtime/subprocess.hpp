#pragma once
// Running a host program and reading what it printed (ps, criu check).
#include <string>
#include <vector>

namespace hull {

struct CommandOutput {
  int status = 0;      // exit status; 128+N when killed by signal N; 127 when it could not be run
  std::string output;  // stdout and stderr together; why, when it could not be run
  int exec_errno = 0;  // the execvp error when it could not be run
};

// Runs argv (PATH lookup) with stdout and stderr captured together.
CommandOutput run_capturing(const std::vector<std::string>& argv);

// Like run_capturing, but throws with the output's first line when it does
// not exit 0: "ps exited with status 1: <line>", or when it cannot be run:
// "\"ps\": executable file not found in $PATH" (runc's words).
std::string run_and_capture(const std::vector<std::string>& argv);

}  // namespace hull

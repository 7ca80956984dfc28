#pragma once
// A process that keeps exchanging two names (renameat2 RENAME_EXCHANGE), as a
// second container sharing the directory would race the runtime, until the
// object goes away: killed and reaped by pid also when the test fails.
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace hull::test {

class Swapper {
 public:
  Swapper(const std::string& a, const std::string& b) : pid_(::fork()) {
    if (pid_ == 0) {
      for (;;) ::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE);
    }
  }
  Swapper(const Swapper&) = delete;
  Swapper& operator=(const Swapper&) = delete;
  ~Swapper() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  bool started() const { return pid_ > 0; }

 private:
  pid_t pid_;
};

}  // namespace hull::test

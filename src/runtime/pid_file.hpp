#pragma once
// --pid-file: written atomically (temp + rename) so a client polling for it
// never reads a partial pid. The directory is opened up front: hull exec
// writes the file after it has joined the container's mount namespace.
#include <sys/types.h>

#include <string>

#include "base/unique_fd.hpp"

namespace hull {

class PidFile {
 public:
  explicit PidFile(const std::string& path);
  void write(pid_t pid) const;

 private:
  std::string path_, name_;
  UniqueFd dir_;
};

}  // namespace hull

#include "runtime/pid_file.hpp"

#include <fcntl.h>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull {

PidFile::PidFile(const std::string& path) : path_(path) {
  std::string dir = ".";
  name_ = path;
  if (auto slash = path.rfind('/'); slash != std::string::npos) {
    dir = slash == 0 ? "/" : path.substr(0, slash);
    name_ = path.substr(slash + 1);
  }
  dir_ = with_context("pid file " + path, [&] { return open_fd(dir, O_RDONLY | O_DIRECTORY); });
}

void PidFile::write(pid_t pid) const {
  with_context("write pid file " + path_, [&] { write_file_atomic(dir_.get(), name_, std::to_string(pid), 0644); });
}

}  // namespace hull

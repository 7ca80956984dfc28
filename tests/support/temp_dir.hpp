#pragma once
// A directory under /tmp that lives as long as the object: every tier's
// tests make their scratch files here, and it is removed also when a test
// fails (the destructor runs on the assertion's early return).
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "base/error.hpp"

namespace hull::test {

class TempDir {
 public:
  // `prefix` names the test in /tmp ("hull-<prefix>.XXXXXX").
  explicit TempDir(const std::string& prefix = "test") {
    std::string tmpl = "/tmp/hull-" + prefix + ".XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw_errno("mkdtemp " + tmpl);
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  const std::string& path() const { return path_; }
  // A path inside the directory.
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace hull::test

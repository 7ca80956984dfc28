#pragma once
// A temporary directory standing in for cgroupfs: interface files are empty
// regular files created up front (cgroupfs has them; writing a file that is
// not there fails as it would for a missing controller), and a WriteLog
// records every write in order.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "base/fs.hpp"
#include "cgroups/cgroupfs.hpp"
#include "support/temp_dir.hpp"

namespace hull::cgroups::testing {

class FakeCgroupFs : public ::testing::Test {
 protected:
  void SetUp() override { set_write_log(&log_); }
  void TearDown() override { set_write_log(nullptr); }

  // Makes root/<rel> with the given (empty, or "name=value") files; returns its path.
  std::string dir(const std::string& rel, std::initializer_list<std::string> files = {}) {
    std::string d = root_ + "/" + rel;
    std::filesystem::create_directories(d);
    for (const auto& f : files) {
      size_t eq = f.find('=');
      std::string name = f.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : f.substr(eq + 1);
      int fd = ::open((d + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      EXPECT_GE(fd, 0) << d << "/" << name;
      if (!value.empty()) {
        EXPECT_EQ(::write(fd, value.data(), value.size()), static_cast<ssize_t>(value.size()));
      }
      ::close(fd);
    }
    return d;
  }
  std::string read(const std::string& d, const std::string& file) { return read_value(d, file); }
  // Values written to d/file, in order.
  std::vector<std::string> writes(const std::string& d, const std::string& file) const {
    std::vector<std::string> out;
    for (const auto& [p, v] : log_.writes)
      if (p == d + "/" + file) out.push_back(v);
    return out;
  }
  // Files written (names relative to the root), in order.
  std::vector<std::string> written_files() const {
    std::vector<std::string> out;
    for (const auto& [p, v] : log_.writes) out.push_back(p.substr(root_.size() + 1));
    return out;
  }

  hull::test::TempDir tmp_{"cgfs"};
  std::string root_ = tmp_.path();
  WriteLog log_;
};

}  // namespace hull::cgroups::testing

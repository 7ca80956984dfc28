// read_regular_file_at: whole files whatever their size against the read
// buffer, procfs files (which report size 0) to their end, and the limits.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <string>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "support/temp_dir.hpp"

namespace hull {
namespace {

std::string write_file(const std::string& path, size_t size) {
  std::string data(size, 'x');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>('a' + i % 26);
  std::ofstream(path, std::ios::binary) << data;
  return data;
}

TEST(ReadRegularFile, ReadsWholeFilesAroundTheBufferSize) {
  hull::test::TempDir tmp{"fsread"};
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{770}, size_t{8191}, size_t{8192}, size_t{8193}, size_t{3 * 8192 + 5}}) {
    const std::string path = tmp.path() + "/f" + std::to_string(size);
    const std::string data = write_file(path, size);
    EXPECT_EQ(read_regular_file_at(AT_FDCWD, path, 1 << 20, path), data) << size;
  }
}

TEST(ReadRegularFile, ProcfsFilesOfSizeZeroAreReadToTheirEnd) {
  struct stat st {};
  ASSERT_EQ(::stat("/proc/self/status", &st), 0);
  ASSERT_EQ(st.st_size, 0);
  std::string text = read_regular_file_at(AT_FDCWD, "/proc/self/status", 1 << 20, "status");
  EXPECT_EQ(text.rfind("Name:", 0), 0u) << text;
  EXPECT_NE(text.find("\nnonvoluntary_ctxt_switches:"), std::string::npos) << text;
}

TEST(ReadRegularFile, TooLargeAndNotRegularAreRefused) {
  hull::test::TempDir tmp{"fsread"};
  const std::string big = tmp.path() + "/big";
  write_file(big, 100);
  try {
    read_regular_file_at(AT_FDCWD, big, 99, big);
    FAIL() << "a file over the limit was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EFBIG) << e.what();
  }
  const std::string fifo = tmp.path() + "/fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    read_regular_file_at(AT_FDCWD, fifo, 99, fifo);
    FAIL() << "a fifo was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EINVAL) << e.what();
  }
}

// read_file with a limit: a file up to it whole, any kind over it (a
// device without end too) refused after reading just past it.
TEST(ReadFile, ReadsUpToItsLimitAndRefusesMore) {
  hull::test::TempDir tmp{"fsread"};
  for (size_t size : {size_t{0}, size_t{511}, size_t{512}, size_t{513}, size_t{5000}}) {
    const std::string path = tmp.path() + "/f" + std::to_string(size);
    const std::string data = write_file(path, size);
    EXPECT_EQ(read_file(path, 5000), data) << size;
    EXPECT_EQ(read_file(path), data) << size;
  }
  write_file(tmp.path() + "/over", 5001);
  for (const std::string& path : {tmp.path() + "/over", std::string("/dev/zero")}) {
    try {
      read_file(path, 5000);
      FAIL() << path << " was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), EFBIG) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path + " is larger than 5000 bytes", 0), 0u) << e.what();
    }
  }
}

// One read answers a small file; what gives nothing or fills that read is
// looked at before more is read.
TEST(ReadRegularFile, DevicesThatGiveNothingOrFillTheReadAreRefused) {
  for (const char* device : {"/dev/null", "/dev/zero"}) {
    try {
      read_regular_file_at(AT_FDCWD, device, 1 << 20, device);
      FAIL() << device << " was read";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), EINVAL) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(std::string(device) + " is not a regular file", 0), 0u) << e.what();
    }
  }
  hull::test::TempDir tmp{"fsread"};
  try {
    read_regular_file_at(AT_FDCWD, tmp.path(), 1 << 20, tmp.path());
    FAIL() << "a directory was read";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), EISDIR) << e.what();
  }
}

}  // namespace
}  // namespace hull

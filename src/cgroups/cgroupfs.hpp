#pragma once
// Reading and writing cgroup interface files. Every writer in this module
// goes through these so errors read the same everywhere:
//   write 100000 to /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or resource busy
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/unique_fd.hpp"

namespace hull::cgroups {

// Writes value to dir/file (the file must exist, as cgroupfs files do).
void write_value(const std::string& dir, std::string_view file, std::string_view value);
// Like write_value but returns the errno instead of throwing (0 on success),
// for the few places that retry in another order.
int try_write_value(const std::string& dir, std::string_view file, std::string_view value) noexcept;
// dir/file open for several values, one write(2) each (devices.allow takes
// one rule per write): one open for all of them, made at the first write.
// Errors read as write_value's.
class ValueWriter {
 public:
  ValueWriter(const std::string& dir, std::string_view file);
  // Opens the file now, for a writer that may not reach it later (a process
  // cloned into another mount namespace).
  void open();
  void write(std::string_view value);
  void close() noexcept { fd_.reset(); }
  // The file as opened elsewhere (another process, over SCM_RIGHTS).
  void adopt(UniqueFd fd) noexcept { fd_ = std::move(fd); }
  int fd() const noexcept { return fd_.get(); }

 private:
  std::string path_;
  UniqueFd fd_;
};
// Contents of dir/file without the trailing newline.
std::string read_value(const std::string& dir, std::string_view file);
uint64_t read_u64(const std::string& dir, std::string_view file);  // "max" reads as UINT64_MAX
bool has_file(const std::string& dir, std::string_view file) noexcept;

// Test seam: while a log is installed, every successful write is appended to
// it as (path, value), so tests on a temporary tree can see sequences of
// writes to one file (devices.allow, io.max) that the file itself would not keep.
struct WriteLog {
  std::vector<std::pair<std::string, std::string>> writes;
};
void set_write_log(WriteLog* log) noexcept;

// Splits a space-separated list ("cpu io memory").
std::set<std::string> split_words(std::string_view text);
// "max" for negative values (the spec's -1 = unlimited), else the number.
std::string limit_or_max(int64_t v);

}  // namespace hull::cgroups

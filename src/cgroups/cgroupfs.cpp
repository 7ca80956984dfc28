#include "cgroups/cgroupfs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/text.hpp"
#include "base/unique_fd.hpp"

namespace hull::cgroups {

namespace {
std::string join(const std::string& dir, std::string_view file) {
  std::string p = dir;
  p += '/';
  p += file;
  return p;
}
WriteLog* g_write_log = nullptr;

}  // namespace

void set_write_log(WriteLog* log) noexcept { g_write_log = log; }

namespace {
// One write(2) of value to fd (cgroupfs takes one per value; a short write
// does not happen for these sizes): 0, logged for tests, or the errno.
int write_once(int fd, const std::string& path, std::string_view value) noexcept {
  while (::write(fd, value.data(), value.size()) < 0) {
    if (errno != EINTR) return errno;
  }
  if (g_write_log) g_write_log->writes.emplace_back(path, std::string(value));
  return 0;
}

// O_TRUNC matters only for the regular files standing in for cgroupfs in tests.
constexpr int kWriteFlags = O_WRONLY | O_TRUNC | O_CLOEXEC;
}  // namespace

int try_write_value(const std::string& dir, std::string_view file, std::string_view value) noexcept {
  std::string path = join(dir, file);
  UniqueFd fd(::open(path.c_str(), kWriteFlags));
  if (!fd) return errno;
  return write_once(fd.get(), path, value);
}

ValueWriter::ValueWriter(const std::string& dir, std::string_view file) : path_(join(dir, file)) {}

void ValueWriter::open() {
  fd_ = UniqueFd(::open(path_.c_str(), kWriteFlags));
  if (!fd_) throw_errno("open " + path_);
}

void ValueWriter::write(std::string_view value) {
  if (!fd_) fd_ = UniqueFd(::open(path_.c_str(), kWriteFlags));
  int err = fd_ ? write_once(fd_.get(), path_, value) : errno;
  if (err != 0) throw_errno(err, "write " + std::string(value) + " to " + path_);
}

void write_value(const std::string& dir, std::string_view file, std::string_view value) {
  int err = try_write_value(dir, file, value);
  if (err != 0) throw_errno(err, "write " + std::string(value) + " to " + join(dir, file));
}

std::string read_value(const std::string& dir, std::string_view file) {
  std::string s = read_file(join(dir, file));
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

uint64_t read_u64(const std::string& dir, std::string_view file) {
  std::string s = read_value(dir, file);
  if (s == "max") return UINT64_MAX;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) throw Error(join(dir, file) + ": not a number: " + quote(s));
  return v;
}

bool has_file(const std::string& dir, std::string_view file) noexcept {
  return ::access(join(dir, file).c_str(), F_OK) == 0;
}

std::set<std::string> split_words(std::string_view text) {
  std::set<std::string> out;
  for (std::string_view word = next_word(text); !word.empty(); word = next_word(text)) out.emplace(word);
  return out;
}

std::string limit_or_max(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

}  // namespace hull::cgroups

#pragma once
// Reading what /proc (and any small file) says, for assertions.
#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace hull::itest {

// The whole content of a file; "" when unreadable.
inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

// The lines of text, without their newlines.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The value of the "Name:\tvalue" line of /proc/<pid>/status text.
inline std::string status_field(const std::string& status, const std::string& name) {
  const std::string key = name + ":\t";
  size_t pos = status.starts_with(key) ? 0 : status.find("\n" + key);
  if (pos == std::string::npos) return "<missing " + name + ">";
  pos += (pos == 0 && status.starts_with(key) ? 0 : 1) + key.size();
  return status.substr(pos, status.find('\n', pos) - pos);
}

// The namespace link of pid, e.g. "pid:[4026532291]"; "" when unreadable.
inline std::string ns_link(pid_t pid, const std::string& name) {
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/ns/" + name, ec).string();
}

}  // namespace hull::itest

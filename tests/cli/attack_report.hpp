#pragma once
// What an attacker process in a container reports, line by line, through a
// fifo the test reads with bounded waits (runtime_binary_*_test.cpp).
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "base/unique_fd.hpp"
#include "process.hpp"

namespace hull::itest {

// Lines the attacker writes to a fifo, read with bounded waits.
class Report {
 public:
  explicit Report(const std::filesystem::path& fifo) {
    if (::mkfifo(fifo.c_str(), 0600) < 0) ADD_FAILURE() << "mkfifo " << fifo;
    // Non-blocking, so opening the fifo does not wait for the writer.
    fd_.reset(::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd_) ADD_FAILURE() << "open " << fifo;
  }
  // Waits for a complete line containing needle; false at the timeout.
  bool wait_for(std::string_view needle, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (has(needle)) return true;
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) <= 0) return false;
      if (!read_available()) return has(needle);
    }
  }
  // Reads what is there now.
  void drain() { read_available(); }
  size_t count(std::string_view needle) const {
    size_t n = 0;
    for (const auto& l : lines()) n += l.find(needle) != std::string::npos;
    return n;
  }
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    std::istringstream in(text_.substr(0, text_.rfind('\n') + 1));
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  const std::string& text() const { return text_; }

 private:
  bool has(std::string_view needle) const { return count(needle) > 0; }
  // false at EOF (the writer is gone).
  bool read_available() {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd_.get(), buf, sizeof buf);
      if (n > 0) {
        text_.append(buf, static_cast<size_t>(n));
        continue;
      }
      return !(n == 0);
    }
  }
  UniqueFd fd_;
  std::string text_;
};

// The canary binary's digest: an attack that wrote through changes it.
inline std::string sha256(const std::filesystem::path& file) {
  ProcResult r = run_process({"/usr/bin/sha256sum", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out.substr(0, r.out.find(' '));
}

}  // namespace hull::itest

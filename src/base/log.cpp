#include "base/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "base/clock.hpp"
#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "base/utf8.hpp"

namespace hull::log {

namespace detail {
Level threshold = Level::Info;
}

namespace {

UniqueFd g_file;        // the --log file; empty means stderr...
bool g_closed = false;  // ...unless close_file() closed it: nowhere
bool g_json = false;

void write_whole(int out, const char* data, size_t size) noexcept {
  ssize_t r;
  do {
    r = ::write(out, data, size);
  } while (r < 0 && errno == EINTR);
}

const char* level_name(Level level) {
  switch (level) {
    case Level::Error: return "error";
    case Level::Warn: return "warning";  // logrus spells it out; shims match on it
    case Level::Info: return "info";
    case Level::Debug: return "debug";
  }
  return "unknown";
}

void append_hex(std::string& out, const char* prefix, unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, digits, value);
  out += buf;
}

// A JSON string as Go's encoding/json writes it (logrus's JSONFormatter):
// HTML-significant characters escaped, invalid UTF-8 replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    char32_t r;
    size_t n = utf8_decode(s, i, &r);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    switch (r) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '<':
      case '>':
      case '&':
      case 0x2028:
      case 0x2029: append_hex(out, "\\u", r, 4); break;
      default:
        if (r < 0x20) {
          append_hex(out, "\\u", r, 4);
        } else {
          out.append(s.substr(i, n));
        }
    }
    i += n;
  }
  out += '"';
}

// Not printable to Go's strconv.IsPrint, which runc's %q follows: format
// characters (bidirectional controls, zero widths, the soft hyphen, the
// byte-order mark), spaces other than U+0020, line and paragraph separators,
// private use, noncharacters, and the stretches of planes 2-14 that no
// Unicode version up to 16 has assigned. (Go escapes the unassigned code
// points scattered through planes 0 and 1 too, which would take the
// Unicode tables; those are shown.)
bool go_unprintable(char32_t r) {
  struct Range {
    char32_t first, last;
  };
  static constexpr Range kRanges[] = {{0x00A0, 0x00A0},   {0x00AD, 0x00AD},   {0x0600, 0x0605},   {0x061C, 0x061C},
                                      {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
                                      {0x1680, 0x1680},   {0x180E, 0x180E},   {0x2000, 0x200F},   {0x2028, 0x202F},
                                      {0x205F, 0x2064},   {0x2066, 0x206F},   {0x3000, 0x3000},   {0xE000, 0xF8FF},
                                      {0xFDD0, 0xFDEF},   {0xFEFF, 0xFEFF},   {0xFFF9, 0xFFFB},   {0x110BD, 0x110BD},
                                      {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
                                      {0x2FA1E, 0x2FFFF}, {0x323B0, 0xE00FF}, {0xE01F0, 0x10FFFF}};
  if (r < 0xA0) return false;
  if ((r & 0xFFFE) == 0xFFFE) return true;  // U+xFFFE and U+xFFFF of every plane
  for (const Range& range : kRanges)
    if (r >= range.first && r <= range.last) return true;
  return false;
}

// logrus's TextFormatter quotes a value only when it holds a character
// outside this set, and then quotes it like Go's %q.
bool needs_quoting(std::string_view s) {
  for (char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                 c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
    if (!plain) return true;
  }
  return false;
}

void append_go_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    char32_t r;
    size_t n = utf8_decode(s, i, &r);
    if (n == 0) {
      append_hex(out, "\\x", static_cast<unsigned char>(s[i]), 2);
      ++i;
      continue;
    }
    switch (r) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\a': out += "\\a"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\v': out += "\\v"; break;
      default:
        if (r < 0x20 || r == 0x7F) {
          append_hex(out, "\\x", r, 2);
        } else if ((r >= 0x80 && r < 0xA0) || go_unprintable(r)) {  // C1 controls, then the rest
          if (r > 0xFFFF)
            append_hex(out, "\\U", r, 8);
          else
            append_hex(out, "\\u", r, 4);
        } else {
          out.append(s.substr(i, n));
        }
    }
    i += n;
  }
  out += '"';
}

void append_text_value(std::string& out, std::string_view s) {
  if (needs_quoting(s)) {
    append_go_quoted(out, s);
  } else {
    out.append(s);
  }
}

}  // namespace

void configure(const std::string& path, bool format_json, bool debug) {
  g_json = format_json;
  detail::threshold = debug ? Level::Debug : Level::Info;
  g_file.reset();
  g_closed = false;
  if (path.empty()) return;
  // O_APPEND: several hull processes (and the container init) share the file;
  // each line goes out in one write(2), so lines never interleave mid-way.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("open log file " + quote(path));
  g_file.reset(fd);
}

bool to_file() noexcept { return static_cast<bool>(g_file); }

int fd() noexcept { return g_file ? g_file.get() : g_closed ? -1 : STDERR_FILENO; }

void close_file() noexcept {
  if (!g_file) return;
  g_file.reset();
  g_closed = true;
}

std::string format_line(Level level, std::string_view msg, std::string_view time, bool json) {
  std::string out;
  out.reserve(msg.size() + 64);
  if (json) {
    // Keys in logrus's (sorted) order.
    out += "{\"level\":\"";
    out += level_name(level);
    out += "\",\"msg\":";
    append_json_string(out, msg);
    out += ",\"time\":";
    append_json_string(out, time);
    out += "}\n";
  } else {
    out += "time=";
    append_text_value(out, time);
    out += " level=";
    out += level_name(level);
    out += " msg=";
    append_text_value(out, msg);
    out += '\n';
  }
  return out;
}

void write(Level level, std::string_view msg) noexcept {
  // Callers may log between a failed syscall and reading errno.
  int saved_errno = errno;
  try {
    std::string line = format_line(level, msg, rfc3339_now_seconds(), g_json);
    // One write keeps the line whole under O_APPEND; a short write (full
    // disk, closed pipe) loses the rest rather than splicing a later line in.
    write_whole(fd(), line.data(), line.size());
  } catch (...) {
    // Logging must never turn a report into a crash (bad_alloc here).
  }
  errno = saved_errno;
}

// Both ends non-blocking: a child with more to say than the pipe holds loses
// the rest rather than waiting for us (we read only once it has exec'd), and
// we read what is there without waiting for an EOF that a failed child's
// copy would delay.
Relay::Relay() {
  if (!g_file) return;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) throw_errno("create the pipe for the exec process's log lines");
  read_end_.reset(fds[0]);
  child_end_.reset(fds[1]);
}

// The child never returns into our frames (it execs or exits), so its g_file
// and child_end_ never both close the number.
void Relay::use_in_child() const noexcept {
  if (!child_end_) return;
  (void)g_file.release();
  g_file.reset(child_end_.get());
}

void Relay::copy_out() noexcept {
  if (!read_end_) return;
  child_end_.reset();
  // Lines were written whole (one write each, under PIPE_BUF unless huge):
  // each read is copied in one write, as the file's other writers do.
  char buf[4096];
  for (ssize_t n; (n = ::read(read_end_.get(), buf, sizeof buf)) > 0;) write_whole(fd(), buf, static_cast<size_t>(n));
  read_end_.reset();
}

}  // namespace hull::log

#pragma once
// Process-wide logging in runc's formats, usable from any layer.
//
// Lines go to the --log file (opened O_APPEND, so lines from several hull
// processes and the container init interleave whole) or, without --log, to
// stderr. Formats match runc's logrus output, because containerd's shim parses
// the last "error" line of the json log to report why a command failed:
//   json: {"level":"error","msg":"...","time":"2026-11-22T10:00:00Z"}
//   text: time="2026-11-22T10:00:00Z" level=error msg="..."
// Levels are logrus's: debug only with --debug; info and above otherwise.
//
// A message below the threshold costs one load and a compare: no clock read,
// no formatting. Callers that would build an expensive message can guard it
// with enabled(Level::Debug) or pass a callable to debug().
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "base/unique_fd.hpp"

namespace hull::log {

enum class Level { Error = 0, Warn = 1, Info = 2, Debug = 3 };

// Sets the destination and format. An empty path means stderr. Throws
// hull::Error when the file cannot be opened. May be called again (tests);
// the previous file is closed.
void configure(const std::string& path, bool format_json, bool debug);

namespace detail {
extern Level threshold;  // highest level written; set by configure()
}
// True when a line of this level would be written.
inline bool enabled(Level level) noexcept { return level <= detail::threshold; }

// True when lines go to a file rather than stderr (the CLI then also prints
// fatal errors to stderr, as runc does).
bool to_file() noexcept;

// The file descriptor lines are written to (2 when logging to stderr), for
// code that must hand the log to another process.
int fd() noexcept;

void write(Level level, std::string_view msg) noexcept;

inline void error(std::string_view msg) noexcept { write(Level::Error, msg); }
inline void warn(std::string_view msg) noexcept {
  if (enabled(Level::Warn)) write(Level::Warn, msg);
}
inline void info(std::string_view msg) noexcept {
  if (enabled(Level::Info)) write(Level::Info, msg);
}
inline void debug(std::string_view msg) noexcept {
  if (enabled(Level::Debug)) write(Level::Debug, msg);
}
// debug([&] { return "expensive " + describe(x); }): the callable runs only with --debug.
template <class F, class = std::enable_if_t<std::is_invocable_r_v<std::string, F>>>
void debug(F&& make_message) {
  if (enabled(Level::Debug)) write(Level::Debug, std::forward<F>(make_message)());
}

// The --log file closed, for a process with a copy of our memory that must
// not hold it: later lines are dropped (not sent to stderr, which there is
// the container's). Without --log, nothing changes.
void close_file() noexcept;

// Lines of a child that must not hold the --log file, a host file (exec's
// process, born where a container process may open its fds): it writes them
// into a pipe, which we copy into the file once it has exec'd or failed.
// Without --log (stderr, the caller's) there is nothing to relay.
class Relay {
 public:
  Relay();  // the pipe, when lines go to a file
  Relay(const Relay&) = delete;
  Relay& operator=(const Relay&) = delete;
  ~Relay() { copy_out(); }
  // The child's end (-1: none), for a process that closes all but what it keeps.
  int child_fd() const noexcept { return child_end_.get(); }
  // In the child (a copy of our memory): its lines go to the pipe. The file's
  // number is forgotten, not closed: it was closed for the child already.
  void use_in_child() const noexcept;
  // Ours: what the child wrote so far goes to the file, then the pipe is closed.
  void copy_out() noexcept;

 private:
  UniqueFd read_end_, child_end_;
};

// The formatted line (with trailing newline) for a message at a given time
// (UTC, "YYYY-MM-DDTHH:MM:SSZ"); exposed for tests.
std::string format_line(Level level, std::string_view msg, std::string_view time, bool json);

}  // namespace hull::log

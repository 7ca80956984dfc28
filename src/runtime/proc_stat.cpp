// Reading a process's identity from /proc/<pid>/stat. A pid alone does not
// identify our init: once it exits and is reaped the number can be handed to
// any new process, so the start time recorded at create is compared too.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <string>

#include "base/error.hpp"
#include "runtime/state_store.hpp"

namespace hull {

ProcStat parse_proc_stat(std::string_view text, const std::string& what) {
  // "pid (comm) state ppid ... starttime ...": comm is chosen by the process
  // (prctl PR_SET_NAME) and may contain ") x y" to fake fields, so only the
  // last ')' ends it.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) throw Error("parse " + what + ": no ')' after the command name");
  std::string_view rest = text.substr(close + 1);
  // Fields after comm, numbered as in proc(5): 3 is state, 22 is starttime.
  int field = 2;
  ProcStat st;
  bool have_start = false;
  while (!rest.empty()) {
    size_t begin = rest.find_first_not_of(' ');
    if (begin == std::string_view::npos) break;
    rest.remove_prefix(begin);
    size_t end = rest.find(' ');
    std::string_view token = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
    ++field;
    if (field == 3) {
      if (token.size() != 1) throw Error("parse " + what + ": bad state field " + quote(token));
      st.state = token[0];
    } else if (field == 9) {
      auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), st.flags);
      if (ec != std::errc() || p != token.data() + token.size())
        throw Error("parse " + what + ": bad flags field " + quote(token));
    } else if (field == 22) {
      if (!token.empty() && token.back() == '\n') token.remove_suffix(1);
      auto [p, ec] = std::from_chars(token.data(), token.data() + token.size(), st.start_time);
      if (ec != std::errc() || p != token.data() + token.size())
        throw Error("parse " + what + ": bad start time " + quote(token));
      have_start = true;
      break;
    }
  }
  if (!have_start) throw Error("parse " + what + ": fewer than 22 fields");
  return st;
}

namespace {

// One read of a /proc/<pid>/ file into buf (these files are well under a
// page and a single read sees a consistent snapshot); nullopt when the
// process is gone (exited and reaped, before or after the open).
std::optional<std::string_view> read_proc_file(const std::string& path, char* buf, size_t size) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT || errno == ESRCH) return std::nullopt;
    throw_errno("open " + path);
  }
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, size);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    if (errno == ESRCH) return std::nullopt;
    throw_errno("read " + path);
  }
  return std::string_view(buf, static_cast<size_t>(n));
}

}  // namespace

std::optional<ProcStat> read_proc_stat(pid_t pid, bool may_be_gone) {
  if (pid <= 0) return std::nullopt;
  // Most pids asked about by `list` belong to stopped containers. A lookup of
  // a missing /proc/<pid> allocates and frees a dentry; a null signal to it
  // fails with ESRCH at a fraction of the cost (half of list's kernel time).
  if (may_be_gone && ::kill(pid, 0) < 0 && errno == ESRCH) return std::nullopt;
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  char buf[4096];
  std::optional<std::string_view> text = read_proc_file(path, buf, sizeof buf);
  if (!text || text->empty()) return std::nullopt;
  return parse_proc_stat(*text, path);
}

std::optional<std::string> read_proc_cgroup(pid_t pid) {
  if (pid <= 0) return std::nullopt;
  // A line per hierarchy, 13 on a v1 host: one read of a buffer that holds
  // them all (a longer text is cut short, which no caller takes for a match).
  char buf[8192];
  std::optional<std::string_view> text = read_proc_file("/proc/" + std::to_string(pid) + "/cgroup", buf, sizeof buf);
  if (!text) return std::nullopt;
  return std::string(*text);
}

namespace {

// The value of a field of /proc/<pid>/status, up to its end of line and
// without the blanks after the colon; nullopt when the field is missing.
std::optional<std::string_view> status_value(std::string_view status_text, std::string_view field) {
  // Name: is the first line; every field after it starts a line.
  const std::string key = "\n" + std::string(field) + ":";
  size_t at = status_text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view value = status_text.substr(at + key.size());
  value.remove_prefix(std::min(value.find_first_not_of(" \t"), value.size()));
  return value.substr(0, value.find('\n'));
}

// A signal mask field of /proc/<pid>/status ("SigPnd", "ShdPnd", ...), or
// nullopt when it is missing or not hexadecimal.
std::optional<uint64_t> status_signal_mask(std::string_view status_text, std::string_view field) {
  std::optional<std::string_view> found = status_value(status_text, field);
  if (!found) return std::nullopt;
  std::string_view value = *found;
  uint64_t mask = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), mask, 16);
  if (ec != std::errc() || end == value.data()) return std::nullopt;
  return mask;
}

}  // namespace

bool sigkill_pending_in_status(std::string_view status_text) {
  constexpr uint64_t kSigkillBit = uint64_t{1} << (SIGKILL - 1);
  for (std::string_view field : {"SigPnd", "ShdPnd"})
    if (status_signal_mask(status_text, field).value_or(0) & kSigkillBit) return true;
  return false;
}

bool sigkill_pending(pid_t pid) {
  if (pid <= 0) return false;
  char buf[8192];
  std::optional<std::string_view> text = read_proc_file("/proc/" + std::to_string(pid) + "/status", buf, sizeof buf);
  return text && sigkill_pending_in_status(*text);
}

pid_t tracer_of(pid_t pid) {
  char buf[8192];
  std::optional<std::string_view> text = read_proc_file("/proc/" + std::to_string(pid) + "/status", buf, sizeof buf);
  std::optional<std::string_view> value = text ? status_value(*text, "TracerPid") : std::nullopt;
  pid_t tracer = 0;
  if (value) std::from_chars(value->data(), value->data() + value->size(), tracer);
  return tracer;
}

bool leads_its_pid_namespace_in_status(std::string_view status_text) {
  std::optional<std::string_view> nspid = status_value(status_text, "NSpid");
  return !nspid || nspid->ends_with("\t1") || *nspid == "1";
}

bool leads_its_pid_namespace(pid_t pid) {
  if (pid <= 0) return true;
  char buf[8192];
  std::optional<std::string_view> text = read_proc_file("/proc/" + std::to_string(pid) + "/status", buf, sizeof buf);
  return !text || leads_its_pid_namespace_in_status(*text);
}

Status live_status(const ContainerState& s, char* init_state) {
  switch (s.status) {
    case Status::Stopped:
    case Status::Removed: return s.status;
    case Status::Creating:
      if (s.pid <= 0) return Status::Creating;  // init not forked yet
      break;
    case Status::Created:
    case Status::Running:
    case Status::Paused:
    case Status::PausedBeforeStart:
      if (s.pid <= 0) return Status::Stopped;
      break;
  }
  std::optional<ProcStat> st = read_proc_stat(s.pid);
  if (st && init_state) *init_state = st->state;
  // 'Z' and 'X': exited, waiting to be reaped. PF_EXITING: in exit, never
  // to run the container's code again; a pid namespace's init stays so until
  // every other process of its namespace is reaped, which a process whose
  // parent is outside (a detached exec's) may never be (found by the
  // lifecycle model, seed 600725: a killed container listed "paused"). A
  // different start time: our init is gone and its pid was reused.
  if (!st || st->state == 'Z' || st->state == 'X' || (st->flags & kProcessExiting) || st->start_time != s.initStartTime)
    return Status::Stopped;
  return s.status;
}

}  // namespace hull

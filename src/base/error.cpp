#include "base/error.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "base/errno_text.hpp"
#include "base/shown_text.hpp"

namespace hull {

Error::Error(std::string message, int err) : message_(std::move(message)), err_(err) { render(); }

Error& Error::add_context(std::string_view context) {
  message_.insert(0, std::string(context) + ": ");
  render();
  return *this;
}

std::string errno_text(int err) {
  std::string text = std::strerror(err);
  if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
      std::islower(static_cast<unsigned char>(text[1])))
    text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

namespace {

// "function not implemented" alone names neither cause: a kernel older than
// the system calls hull is built on (close_range and pidfds need 5.10, the
// LTS that has them all; id-mapped and recursively set mount attributes
// need mount_setattr, 5.12), or a seccomp filter that hull itself runs
// under answering ENOSYS.
std::string missing_system_call_hint() {
  utsname u{};
  const std::string kernel = ::uname(&u) == 0 ? std::string("Linux ") + u.release : "the kernel";
  return " (" + kernel +
         " or a seccomp filter lacks this system call; hull needs Linux 5.10 or newer, 5.12 for id-mapped mounts and "
         "recursive mount attributes)";
}

}  // namespace

void Error::render() {
  full_ = message_;
  if (err_ != 0) {
    full_ += ": ";
    full_ += errno_text(err_);
    if (err_ == ENOSYS) full_ += missing_system_call_hint();
  }
}

void throw_errno(std::string what) { throw Error(std::move(what), errno); }
void throw_errno(int err, std::string what) { throw Error(std::move(what), err); }

// What a terminal would act on is shown escaped (\n, \x1b, \xc2\x9b:
// base/shown_text.hpp), newlines too, so a value cannot forge a line of the
// message either.
std::string quote(std::string_view s) {
  // Longer than any path the kernel takes: a value that long is shown cut
  // short, so a hostile config cannot make every message megabytes long.
  constexpr size_t kShownBytes = 4096;
  std::string out = "\"";
  out.reserve(std::min(s.size(), kShownBytes) + 32);
  append_shown(out, s.substr(0, kShownBytes), ShownAs::Quoted);
  if (s.size() > kShownBytes)
    out += "...\" (" + std::to_string(s.size()) + " bytes)";
  else
    out += '"';
  return out;
}

}  // namespace hull

#pragma once
// One error type for the whole runtime: a message plus the errno that caused it.
// Each layer adds context once as the error rises ("mount proc on /proc" ->
// "create container \"web\""); only the CLI prints it.
#include <cerrno>
#include <exception>
#include <string>
#include <string_view>
#include <utility>

namespace hull {

class Error : public std::exception {
 public:
  explicit Error(std::string message, int err = 0);

  // errno that caused the error, 0 when it is not a system error.
  int code() const noexcept { return err_; }
  // The message without the errno text.
  const std::string& message() const noexcept { return message_; }
  // "context: message: strerror(errno)".
  const char* what() const noexcept override { return full_.c_str(); }

  // Prepends "context: " to the message.
  Error& add_context(std::string_view context);

 private:
  void render();
  std::string message_;
  int err_;
  std::string full_;
};

// Throws Error(what, errno) using the current errno.
[[noreturn]] void throw_errno(std::string what);
[[noreturn]] void throw_errno(int err, std::string what);

// Runs f; an Error escaping it gets `context` prepended.
template <class F>
decltype(auto) with_context(std::string_view context, F&& f) {
  try {
    return std::forward<F>(f)();
  } catch (Error& e) {
    e.add_context(context);
    throw;
  }
}

// Quotes a string the way messages show user-given values: "web".
std::string quote(std::string_view s);

}  // namespace hull

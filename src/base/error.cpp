#include "base/error.hpp"

#include <cctype>
#include <cstring>

#include "base/errno_text.hpp"

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

void Error::render() {
  full_ = message_;
  if (err_ != 0) {
    full_ += ": ";
    full_ += errno_text(err_);
  }
}

void throw_errno(std::string what) { throw Error(std::move(what), errno); }
void throw_errno(int err, std::string what) { throw Error(std::move(what), err); }

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace hull

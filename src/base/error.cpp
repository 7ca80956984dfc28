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
  static const char kHex[] = "0123456789abcdef";
  auto hex = [](std::string& out, unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  };
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      hex(out, c);
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      // U+0080-U+009F: CSI (U+009B) and the rest act in many terminals.
      hex(out, c);
      hex(out, static_cast<unsigned char>(s[++i]));
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

}  // namespace hull

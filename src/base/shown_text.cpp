#include "base/shown_text.hpp"

#include "base/utf8.hpp"

namespace hull {
namespace {

void append_hex_bytes(std::string& out, std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
}

bool acted_on(char32_t r) {
  return r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069);
}

}  // namespace

void append_shown(std::string& out, std::string_view s, ShownAs as) {
  const bool quoted = as == ShownAs::Quoted;
  for (size_t i = 0; i < s.size();) {
    char32_t r = 0;
    size_t n = utf8_decode(s, i, &r);
    if (n == 0) {
      append_hex_bytes(out, s.substr(i, 1));
      ++i;
      continue;
    }
    if (quoted && (r == '"' || r == '\\')) {
      out += '\\';
      out += static_cast<char>(r);
    } else if (r == '\n') {
      out += "\\n";
    } else if (r == '\t') {
      out += "\\t";
    } else if (r == '\r') {
      out += "\\r";
    } else if (acted_on(r)) {
      append_hex_bytes(out, s.substr(i, n));
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
}

std::string shown_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_shown(out, s, ShownAs::Line);
  return out;
}

}  // namespace hull

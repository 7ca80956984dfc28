#include "base/utf8.hpp"

namespace hull {

size_t utf8_decode(std::string_view s, size_t i, char32_t* rune) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    *rune = b;
    return 1;
  }
  size_t n;
  char32_t r, min;
  if ((b & 0xE0) == 0xC0) {
    n = 2, r = b & 0x1F, min = 0x80;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3, r = b & 0x0F, min = 0x800;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4, r = b & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    r = (r << 6) | (c & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) return 0;
  *rune = r;
  return n;
}

size_t utf8_width(std::string_view s) {
  size_t width = 0;
  char32_t rune;
  for (size_t i = 0; i < s.size(); ++width) {
    const size_t n = utf8_decode(s, i, &rune);
    i += n == 0 ? 1 : n;
  }
  return width;
}

bool valid_utf8(std::string_view s) {
  char32_t rune = 0;
  for (size_t i = 0, n = 0; i < s.size(); i += n)
    if ((n = utf8_decode(s, i, &rune)) == 0) return false;
  return true;
}

}  // namespace hull

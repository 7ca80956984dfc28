#pragma once
// The tokens of RFC 8259 JSON, read exactly as nlohmann's parser reads them:
// shared by the two readers that stand in for nlohmann on hot paths
// (json_flat for state.json, json_tree for config.json). UTF-8 is
// validated, \u escapes (with surrogate pairs) decoded, and numbers follow
// the grammar without leading zeros, '+' or bare '.'.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/utf8.hpp"

namespace hull {

// One number token: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
struct JsonNumber {
  const char* begin = nullptr;
  const char* end = nullptr;
  bool negative = false;
  bool integral = true;     // no fraction, no exponent
  bool fits = true;         // the digits fit in 64 bits (integral only)
  uint64_t magnitude = 0;   // the digits' value when integral && fits
};

class JsonLexer {
 public:
  explicit JsonLexer(std::string_view text) : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {
    // nlohmann skips a UTF-8 byte order mark at the start, and so do we.
    if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF && static_cast<unsigned char>(p_[1]) == 0xBB &&
        static_cast<unsigned char>(p_[2]) == 0xBF)
      p_ += 3;
  }

 protected:
  const char* begin_;
  const char* p_;
  const char* end_;

  void ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool take(char c) {
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }
  bool at_end() {
    ws();
    return p_ == end_;
  }
  bool literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool number(JsonNumber& n) {
    n = JsonNumber{};
    n.begin = p_;
    n.negative = take('-');
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        auto d = static_cast<uint64_t>(*p_ - '0');
        if (n.magnitude > (UINT64_MAX - d) / 10) n.fits = false;
        n.magnitude = n.magnitude * 10 + d;
        ++p_;
      }
    }
    if (take('.')) {
      n.integral = false;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      n.integral = false;
      ++p_;
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    n.end = p_;
    return true;
  }

  // Reads a string token. Decoded into *out when out is not null; otherwise
  // only validated. *escaped says whether it held a backslash escape, that
  // is, whether its decoded text differs from its raw text.
  bool string_to(std::string* out, bool* escaped = nullptr) {
    if (!take('"')) return false;
    for (;;) {
      // Copy the run of plain characters in one go.
      const char* run = p_;
      skip_plain_words();
      while (p_ != end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20 &&
             static_cast<unsigned char>(*p_) < 0x80)
        ++p_;
      if (out) out->append(run, static_cast<size_t>(p_ - run));
      if (p_ == end_) return false;
      auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        ++p_;
        return true;
      }
      if (c < 0x20) return false;
      if (c >= 0x80) {
        char32_t rune;
        size_t n = utf8_decode(std::string_view(p_, static_cast<size_t>(end_ - p_)), 0, &rune);
        if (n == 0) return false;
        if (out) out->append(p_, n);
        p_ += n;
        continue;
      }
      // Backslash.
      if (escaped) *escaped = true;
      ++p_;
      if (p_ == end_) return false;
      char e = *p_++;
      char plain = 0;
      switch (e) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
          uint32_t cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a lone low surrogate
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (!take('\\') || !take('u') || !hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          if (out) append_utf8(*out, cp);
          continue;
        }
        default: return false;
      }
      if (out) *out += plain;
    }
  }

 private:
  bool digits() {
    const char* start = p_;
    while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    return p_ != start;
  }

  static void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(uint32_t& out) {
    if (end_ - p_ < 4) return false;
    out = 0;
    for (int i = 0; i < 4; ++i, ++p_) {
      char c = *p_;
      out <<= 4;
      if (c >= '0' && c <= '9')
        out |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        out |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        out |= static_cast<uint32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  // Steps over whole 8-byte words holding no '"', '\\', control byte or
  // non-ASCII byte, eight at a time: state.json's cgroup paths and a
  // seccomp profile's syscall names run long between escapes.
  void skip_plain_words() {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighs = 0x8080808080808080ULL;
    auto has_zero_byte = [](uint64_t v) { return (v - kOnes) & ~v & kHighs; };
    while (end_ - p_ >= 8) {
      uint64_t v;
      std::memcpy(&v, p_, 8);
      // A byte below 0x20 borrows in v - 0x20..: flagged, as is any high bit.
      uint64_t special = has_zero_byte(v ^ (kOnes * '"')) | has_zero_byte(v ^ (kOnes * '\\')) |
                         ((v - kOnes * 0x20) & ~v & kHighs) | (v & kHighs);
      if (special) return;  // the byte-wise loop finds which one
      p_ += 8;
    }
  }
};

}  // namespace hull

#include "base/json_flat.hpp"

#include <cstring>

#include "base/utf8.hpp"

namespace hull::json_flat {
namespace {

constexpr int kMaxDepth = 512;

class Reader {
 public:
  Reader(std::string_view t, std::span<const std::string_view> skip)
      : p_(t.data()), end_(t.data() + t.size()), skip_(skip) {
    if (end_ - p_ >= 3 && static_cast<unsigned char>(p_[0]) == 0xEF && static_cast<unsigned char>(p_[1]) == 0xBB &&
        static_cast<unsigned char>(p_[2]) == 0xBF)
      p_ += 3;
  }

  Result document(Members& out) {
    ws();
    if (p_ == end_) return Result::Invalid;
    if (*p_ != '{') {
      if (!skip_value(0)) return Result::Invalid;
      ws();
      return p_ == end_ ? Result::NotObject : Result::Invalid;
    }
    ++p_;
    ws();
    if (take('}')) return at_end() ? Result::Ok : Result::Invalid;
    do {
      ws();
      std::string key;
      if (!string(key)) return Result::Invalid;
      ws();
      if (!take(':')) return Result::Invalid;
      ws();
      if (skipped(key)) {
        if (!skip_value(1)) return Result::Invalid;
      } else {
        Value v;
        if (!member_value(v)) return Result::Invalid;
        out.emplace_back(std::move(key), std::move(v));
      }
      ws();
    } while (take(','));
    if (!take('}')) return Result::Invalid;
    return at_end() ? Result::Ok : Result::Invalid;
  }

 private:
  const char* p_;
  const char* end_;
  std::span<const std::string_view> skip_;

  bool skipped(std::string_view key) const {
    for (std::string_view k : skip_)
      if (k == key) return true;
    return false;
  }

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

  // A top-level member's value: typed, and kept when it is a string, an
  // unsigned integer or an object of strings.
  bool member_value(Value& v) {
    if (p_ == end_) return false;
    switch (*p_) {
      case '"': v.kind = Kind::String; return string(v.text);
      case '{': v.kind = Kind::Object; return string_values(v, true);
      case '[': v.kind = Kind::Array; return string_values(v, false);
      case 't': v.kind = Kind::Bool; return literal("true");
      case 'f': v.kind = Kind::Bool; return literal("false");
      case 'n': v.kind = Kind::Null; return literal("null");
      default: return number(v);
    }
  }

  // An object (members) or array (items) kept while every value in it is a
  // string; otherwise validated, typed and dropped.
  bool string_values(Value& v, bool object) {
    const char close = object ? '}' : ']';
    ++p_;  // '{' or '['
    v.strings_only = true;
    ws();
    if (take(close)) return true;
    do {
      ws();
      std::string key;
      if (object) {
        if (!string(key)) return false;
        ws();
        if (!take(':')) return false;
        ws();
      }
      if (v.strings_only && p_ != end_ && *p_ == '"') {
        std::string text;
        if (!string(text)) return false;
        if (object)
          v.members.emplace_back(std::move(key), std::move(text));
        else
          v.items.push_back(std::move(text));
      } else {
        v.strings_only = false;
        v.members.clear();
        v.items.clear();
        if (!skip_value(2)) return false;
      }
      ws();
    } while (take(','));
    return take(close);
  }

  // Any value, validated and dropped.
  bool skip_value(int depth) {
    if (depth > kMaxDepth || p_ == end_) return false;
    Value number_value;
    switch (*p_) {
      case '"': return string_to(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      case '{':
      case '[': {
        char close = *p_ == '{' ? '}' : ']';
        bool object = close == '}';
        ++p_;
        ws();
        if (take(close)) return true;
        do {
          ws();
          if (object) {
            if (!string_to(nullptr)) return false;
            ws();
            if (!take(':')) return false;
            ws();
          }
          if (!skip_value(depth + 1)) return false;
          ws();
        } while (take(','));
        return take(close);
      }
      default: return number(number_value);
    }
  }

  // -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(Value& v) {
    bool negative = take('-');
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    bool fits = true;
    uint64_t n = 0;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && *p_ >= '0' && *p_ <= '9') {
        auto d = static_cast<uint64_t>(*p_ - '0');
        if (n > (UINT64_MAX - d) / 10) fits = false;
        n = n * 10 + d;
        ++p_;
      }
    }
    bool integral = true;
    if (take('.')) {
      integral = false;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      integral = false;
      ++p_;
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    if (!negative && integral && fits) {
      v.kind = Kind::Unsigned;
      v.number = n;
    } else {
      v.kind = Kind::OtherNumber;
    }
    return true;
  }
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
  // non-ASCII byte, eight at a time: state.json's cgroup paths run long
  // between escapes, and list reads one per container.
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

  bool string(std::string& out) { return string_to(&out); }

  // Decodes a string into *out, or with out == nullptr only validates it
  // (the values parse_object is told to skip).
  bool string_to(std::string* out) {
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
};

}  // namespace

Result parse_object(std::string_view text, Members& out, std::span<const std::string_view> skip) {
  out.clear();
  out.reserve(16);  // state.json has 12 members: no regrowth copies
  Result r = Reader(text, skip).document(out);
  if (r != Result::Ok) out.clear();
  return r;
}

const Value* find(const Members& members, std::string_view key) {
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->first == key) return &it->second;
  return nullptr;
}

Value* find(Members& members, std::string_view key) { return const_cast<Value*>(find(std::as_const(members), key)); }

}  // namespace hull::json_flat

#include "base/json_write.hpp"

#include <array>
#include <charconv>

#include "base/utf8.hpp"

namespace hull {

void JsonWriter::newline_and_indent(size_t level) {
  if (indent_ < 0) return;
  out_ += '\n';
  out_.append(level * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (levels_.empty()) return;
  if (!levels_.back().empty) out_ += ',';
  levels_.back().empty = false;
  newline_and_indent(levels_.size());
}

JsonWriter& JsonWriter::open(char c) {
  before_value();
  out_ += c;
  levels_.push_back({});
  return *this;
}

JsonWriter& JsonWriter::close(char c) {
  const bool empty = levels_.back().empty;
  levels_.pop_back();
  if (!empty) newline_and_indent(levels_.size());
  out_ += c;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  quoted(name);
  out_ += indent_ < 0 ? ":" : ": ";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view s) {
  before_value();
  quoted(s);
  return *this;
}

JsonWriter& JsonWriter::number(uint64_t n) {
  before_value();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
  return *this;
}

JsonWriter& JsonWriter::number(int64_t n) {
  before_value();
  char buf[24];
  out_.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
  return *this;
}

JsonWriter& JsonWriter::boolean(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::strings(const std::vector<std::string>& items) {
  begin_array();
  for (const auto& s : items) string(s);
  return end_array();
}

JsonWriter& JsonWriter::string_map(const std::map<std::string, std::string>& members) {
  begin_object();
  for (const auto& [k, v] : members) key(k).string(v);
  return end_object();
}

namespace {

// The bytes a string's plain runs stop at: those escaped, and the first
// byte of a multi-byte sequence, which is checked.
constexpr auto kStops = [] {
  std::array<bool, 256> t{};
  for (int b = 0; b < 256; ++b) t[b] = b < 0x20 || b == '"' || b == '\\' || b >= 0x80;
  return t;
}();

}  // namespace

void JsonWriter::quoted(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_ += '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (!kStops[b]) {
      ++i;
      continue;
    }
    if (b >= 0x80) {
      char32_t rune;
      const size_t n = utf8_decode(s, i, &rune);
      if (n == 0) throw JsonWriteError("invalid UTF-8 byte at index " + std::to_string(i));
      i += n;
      continue;
    }
    out_.append(s.substr(plain, i - plain));
    switch (b) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\t': out_ += "\\t"; break;
      case '\n': out_ += "\\n"; break;
      case '\f': out_ += "\\f"; break;
      case '\r': out_ += "\\r"; break;
      default:
        out_ += "\\u00";
        out_ += kHex[b >> 4];
        out_ += kHex[b & 0xF];
    }
    plain = ++i;
  }
  out_.append(s.substr(plain));
  out_ += '"';
}

}  // namespace hull

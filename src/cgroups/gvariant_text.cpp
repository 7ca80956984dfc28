#include "cgroups/gvariant_text.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "base/error.hpp"

namespace hull::cgroups {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  dbus::PropertyValue whole() {
    dbus::PropertyValue v = value();
    skip_space();
    if (i_ != s_.size()) fail("unexpected " + quote(s_.substr(i_)) + " after the value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw Error(why); }

  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }

  // The next run of word characters (a keyword, a number, true/false).
  std::string_view word() {
    size_t start = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '.' ||
                              s_[i_] == '-' || s_[i_] == '+' || s_[i_] == '_'))
      ++i_;
    return s_.substr(start, i_ - start);
  }

  dbus::PropertyValue value() {
    skip_space();
    if (i_ >= s_.size()) fail("no value");
    if (s_[i_] == '@') {
      ++i_;
      size_t start = i_;
      while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != '\t') ++i_;
      std::string_view type = s_.substr(start, i_ - start);
      skip_space();
      return typed(type);
    }
    if (s_[i_] == '\'' || s_[i_] == '"') return quoted();
    if (s_[i_] == '[') return string_array();
    size_t before = i_;
    std::string_view w = word();
    static constexpr std::pair<std::string_view, std::string_view> kKeywords[] = {
        {"boolean", "b"}, {"byte", "y"},   {"int16", "n"},  {"uint16", "q"}, {"int32", "i"},
        {"uint32", "u"},  {"int64", "x"},  {"uint64", "t"}, {"double", "d"}, {"string", "s"},
    };
    for (const auto& [keyword, type] : kKeywords) {
      if (w == keyword) {
        skip_space();
        return typed(type);
      }
    }
    i_ = before;
    return untyped_word();
  }

  dbus::PropertyValue untyped_word() {
    std::string_view w = word();
    if (w == "true") return true;
    if (w == "false") return false;
    if (w.empty()) fail("unexpected " + quote(s_.substr(i_)));
    if (w.find_first_of(".eE") != std::string_view::npos && w.find("0x") == std::string_view::npos)
      return real(w);
    return integer<int32_t>(w);
  }

  dbus::PropertyValue typed(std::string_view type) {
    if (type == "s") {
      if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("a string must be quoted");
      return quoted();
    }
    if (type == "as") return string_array();
    std::string_view w = word();
    if (type == "b") {
      if (w == "true") return true;
      if (w == "false") return false;
      fail("expected true or false, got " + quote(w));
    }
    if (type == "y") return integer<uint8_t>(w);
    if (type == "n") return integer<int16_t>(w);
    if (type == "q") return integer<uint16_t>(w);
    if (type == "i") return integer<int32_t>(w);
    if (type == "u") return integer<uint32_t>(w);
    if (type == "x") return integer<int64_t>(w);
    if (type == "t") return integer<uint64_t>(w);
    if (type == "d") return real(w);
    fail("unsupported type " + quote(type) + " (booleans, numbers, strings and arrays of strings are)");
  }

  template <class T>
  T integer(std::string_view w) {
    std::string_view digits = w;
    bool negative = false;
    if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
      negative = digits[0] == '-';
      digits.remove_prefix(1);
    }
    int base = 10;
    if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
      base = 16;
      digits.remove_prefix(2);
    }
    uint64_t magnitude = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude, base);
    if (digits.empty() || ec == std::errc::invalid_argument || end != digits.data() + digits.size())
      fail(quote(w) + " is not a number");
    using Limits = std::numeric_limits<T>;
    const uint64_t max_magnitude = negative ? uint64_t(0) - static_cast<uint64_t>(Limits::min())
                                            : static_cast<uint64_t>(Limits::max());
    if (ec == std::errc::result_out_of_range || magnitude > max_magnitude || (negative && !Limits::is_signed))
      fail(quote(w) + " is out of range for its type");
    return negative ? static_cast<T>(uint64_t(0) - magnitude) : static_cast<T>(magnitude);
  }

  double real(std::string_view w) {
    std::string copy(w);
    char* end = nullptr;
    errno = 0;
    double d = std::strtod(copy.c_str(), &end);
    if (copy.empty() || end != copy.c_str() + copy.size() || errno == ERANGE) fail(quote(w) + " is not a number");
    return d;
  }

  std::string quoted() {
    const char q = s_[i_++];
    std::string out;
    while (i_ < s_.size() && s_[i_] != q) {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size()) break;
        c = s_[i_++];
        switch (c) {
          case 'n': c = '\n'; break;
          case 't': c = '\t'; break;
          case 'r': c = '\r'; break;
          case 'f': c = '\f'; break;
          case 'v': c = '\v'; break;
          case 'b': c = '\b'; break;
          case 'a': c = '\a'; break;
          default: break;  // \\, \', \" and any other: the character itself
        }
      }
      out += c;
    }
    if (i_ >= s_.size()) fail("a string is not closed");
    ++i_;
    return out;
  }

  std::vector<std::string> string_array() {
    if (i_ >= s_.size() || s_[i_] != '[') fail("expected '['");
    ++i_;
    std::vector<std::string> out;
    skip_space();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return out;
    }
    for (;;) {
      skip_space();
      if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"'))
        fail("only arrays of strings are supported ('a', \"b\")");
      out.push_back(quoted());
      skip_space();
      if (i_ < s_.size() && s_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return out;
      }
      fail("an array is not closed");
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

}  // namespace

dbus::PropertyValue parse_gvariant_text(std::string_view text) { return Parser(text).whole(); }

}  // namespace hull::cgroups

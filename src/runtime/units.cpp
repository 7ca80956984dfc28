#include "runtime/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

#include "base/error.hpp"

namespace hull {

namespace {

// Reads a decimal "12", "1.5", ".5", "3." at text[i...]; false without digits.
bool read_decimal(std::string_view text, size_t& i, double& value) {
  size_t start = i;
  bool digits = false;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, digits = true;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, digits = true;
  }
  if (!digits) return false;
  std::string_view number = text.substr(start, i - start);
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec == std::errc::result_out_of_range) {
    // Past a double's range (found by fuzz_cli_values: std::stod threw
    // std::out_of_range). Only digits and a dot are here, so it is either
    // huge, which the callers refuse as too large, or a fraction too small
    // to count.
    size_t first_nonzero = number.find_first_not_of("0.");
    size_t dot = number.find('.');
    bool huge = first_nonzero != std::string_view::npos && (dot == std::string_view::npos || first_nonzero < dot);
    value = huge ? HUGE_VAL : 0.0;
  } else if (ec != std::errc() || end != number.data() + number.size()) {
    return false;
  }
  return true;
}

// Underscores may only separate digits, or a base prefix from a digit.
bool underscores_well_placed(std::string_view digits, bool after_prefix, bool hex) {
  enum { Start, Digit, Underscore, Other } last = after_prefix ? Digit : Start;
  for (char c : digits) {
    bool digit = std::isdigit(static_cast<unsigned char>(c)) || (hex && std::isxdigit(static_cast<unsigned char>(c)));
    if (digit) {
      last = Digit;
    } else if (c == '_') {
      if (last != Digit) return false;
      last = Underscore;
    } else {
      if (last == Underscore) return false;
      last = Other;
    }
  }
  return last != Underscore;
}

// The magnitude of an unsigned Go integer literal (no sign) in `base` (0 or 10).
uint64_t go_magnitude(std::string_view text, std::string_view whole, int base) {
  auto invalid = [&] { return Error(quote(whole) + " is not an integer"); };
  if (text.empty()) throw invalid();
  const bool base0 = base == 0;
  if (base0) {
    base = 10;
    // The leading 0 (of an octal number, or of a prefix) counts as a digit
    // before an underscore: Go takes 0_7 and 0x_1f.
    const bool leading_zero = text[0] == '0';
    if (leading_zero) {
      char p = text.size() >= 3 ? static_cast<char>(std::tolower(static_cast<unsigned char>(text[1]))) : '\0';
      const bool prefixed = p == 'b' || p == 'o' || p == 'x';
      base = p == 'b' ? 2 : p == 'x' ? 16 : 8;
      text.remove_prefix(prefixed ? 2 : 1);
    }
    if (text.find('_') != std::string_view::npos && !underscores_well_placed(text, leading_zero, base == 16))
      throw invalid();
  }
  uint64_t n = 0;
  for (char c : text) {
    if (c == '_' && base0) continue;  // placement checked above
    int d = std::isdigit(static_cast<unsigned char>(c))   ? c - '0'
            : std::isalpha(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                                          : 99;
    if (d >= base) throw invalid();
    if (n > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
      throw Error(quote(whole) + " is out of range");
    n = n * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return n;
}

}  // namespace

int64_t parse_go_int(std::string_view text, int base) {
  std::string_view digits = text;
  bool negative = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  uint64_t n = go_magnitude(digits, text, base);
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (n > limit) throw Error(quote(text) + " is out of range");
  return negative ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
}

uint64_t parse_go_uint(std::string_view text, int base) {
  // Said apart: "-1 is not an integer" would send the user looking for a typo.
  if (!text.empty() && (text[0] == '-' || text[0] == '+'))
    throw Error(quote(text) + " is not an unsigned integer (a value of 0 or more, without a sign)");
  return go_magnitude(text, text, base);
}

int64_t parse_ram_in_bytes(std::string_view text) {
  auto invalid = [&](const std::string& why) -> Error { return Error("invalid size " + quote(text) + ": " + why); };
  // The number ends at the last digit, dot or space; what follows is the suffix.
  size_t sep = text.find_last_of("0123456789. ");
  if (sep == std::string_view::npos) throw invalid("no number");
  std::string_view number = text.substr(0, text[sep] == ' ' ? sep : sep + 1);
  std::string suffix(text.substr(sep + 1));
  size_t i = 0;
  double size = 0;
  if (!number.empty() && number[0] == '+') ++i;  // Go's ParseFloat takes a leading '+'
  if (!read_decimal(number, i, size) || i != number.size()) throw invalid("not a number");
  for (char& c : suffix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double multiplier = 1;
  if (!suffix.empty()) {
    size_t exponent = std::string_view("bkmgtp").find(suffix[0]);
    bool ok = exponent != std::string_view::npos && suffix.size() <= 3;
    if (ok && exponent == 0) ok = suffix.size() == 1;  // "b" takes nothing after it
    if (ok && suffix.size() == 2) ok = suffix[1] == 'b';
    if (ok && suffix.size() == 3) ok = suffix.substr(1) == "ib";
    if (!ok)
      throw invalid("unknown suffix " + quote(suffix) + " (use b, k, m, g, t or p, optionally followed by b or ib)");
    multiplier = std::pow(1024.0, static_cast<double>(exponent));
  }
  double bytes = size * multiplier;
  if (bytes >= 9223372036854775807.0) throw invalid("too large");
  return static_cast<int64_t>(bytes);
}

std::chrono::nanoseconds parse_go_duration(std::string_view text) {
  auto invalid = [&](const std::string& why) -> Error { return Error("invalid duration " + quote(text) + ": " + why); };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  if (text.substr(i) == "0") return std::chrono::nanoseconds(0);
  if (i == text.size()) throw invalid("empty");
  struct Unit {
    std::string_view name;
    double ns;
  };
  // Longest names first so "ms" is not read as "m" followed by "s".
  static constexpr Unit kUnits[] = {{"ns", 1},   {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
                                    {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
  double total = 0;
  while (i < text.size()) {
    double value = 0;
    if (!read_decimal(text, i, value)) throw invalid("expected a number at " + quote(text.substr(i)));
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits)
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    if (unit == nullptr) throw invalid("missing or unknown unit (use ns, us, ms, s, m or h)");
    i += unit->name.size();
    total += value * unit->ns;
  }
  if (total >= 9223372036854775807.0) throw invalid("too large");
  auto ns = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
  return negative ? -ns : ns;
}

}  // namespace hull

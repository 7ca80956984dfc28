#pragma once
// Reading the kernel's small text files (/proc/self/uid_map, mountinfo,
// /proc/self/cgroup, cgroup interface files) a word or a line at a time,
// without a stream: an std::istringstream costs a locale copy, a string
// buffer and the stream state per use (and, the first time in a process,
// the C++ locale), for files the hot commands read on every call.
#include <algorithm>
#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hull {

// The next word of `text`: the run of characters after any blanks (space,
// tab, newline) up to the next one. Consumed from `text`; "" at its end.
inline std::string_view next_word(std::string_view& text) {
  constexpr std::string_view kBlanks = " \t\n";
  const size_t begin = text.find_first_not_of(kBlanks);
  if (begin == std::string_view::npos) {
    text = {};
    return {};
  }
  text.remove_prefix(begin);
  const size_t end = std::min(text.find_first_of(kBlanks), text.size());
  std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

// The next line of `text`, without its newline; consumed from `text`. Call
// while !text.empty() (a last line without a newline is returned too).
inline std::string_view next_line(std::string_view& text) {
  const size_t eol = std::min(text.find('\n'), text.size());
  std::string_view line = text.substr(0, eol);
  text.remove_prefix(std::min(eol + 1, text.size()));
  return line;
}

// The non-empty fields of a list such as "cpu,cpuacct" or "rw,nosuid"
// (separator ','), viewing `text`.
inline std::vector<std::string_view> list_fields(std::string_view text, char separator = ',') {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const size_t end = std::min(text.find(separator), text.size());
    if (end > 0) out.push_back(text.substr(0, end));
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  return out;
}

// `fields` with `separator` between them (list_fields, the other way).
inline std::string joined_fields(const std::vector<std::string>& fields, std::string_view separator) {
  std::string out;
  for (const std::string& f : fields) {
    if (&f != &fields.front()) out += separator;
    out += f;
  }
  return out;
}

// `word` read whole as a decimal number: nothing for a sign, a suffix, an
// empty word or a value out of T's range.
template <class T>
std::optional<T> whole_number(std::string_view word) {
  T value{};
  auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (ec != std::errc() || end != word.data() + word.size() || word.empty()) return std::nullopt;
  return value;
}

}  // namespace hull

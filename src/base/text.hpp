#pragma once
// Reading the kernel's small text files (/proc/self/uid_map, mountinfo,
// /proc/self/cgroup, cgroup interface files) a word or a line at a time,
// without a stream: an std::istringstream costs a locale copy, a string
// buffer and the stream state per use (and, the first time in a process,
// the C++ locale), for files the hot commands read on every call.
#include <algorithm>
#include <string_view>

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

}  // namespace hull

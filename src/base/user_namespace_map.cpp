#include "base/user_namespace_map.hpp"

#include <charconv>
#include <exception>
#include <string>

#include "base/fs.hpp"
#include "base/text.hpp"

namespace hull {

namespace {

bool field_is(std::string_view field, unsigned long long want) {
  unsigned long long value = 0;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
  return ec == std::errc() && end == field.data() + field.size() && value == want;
}

}  // namespace

bool is_initial_user_namespace_map(std::string_view uid_map) {
  std::string_view inside = next_word(uid_map), outside = next_word(uid_map), count = next_word(uid_map);
  return field_is(inside, 0) && field_is(outside, 0) && field_is(count, 4294967295ULL) &&
         next_word(uid_map).empty();  // a second line: a map someone wrote
}

bool in_initial_user_namespace() {
  try {
    return is_initial_user_namespace_map(read_file("/proc/self/uid_map"));
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace hull

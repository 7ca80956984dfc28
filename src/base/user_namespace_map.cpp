#include "base/user_namespace_map.hpp"

#include <exception>
#include <string>

#include "base/fs.hpp"
#include "base/text.hpp"

namespace hull {

bool is_initial_user_namespace_map(std::string_view uid_map) {
  std::string_view inside = next_word(uid_map), outside = next_word(uid_map), count = next_word(uid_map);
  using Id = unsigned long long;
  return whole_number<Id>(inside) == Id{0} && whole_number<Id>(outside) == Id{0} &&
         whole_number<Id>(count) == Id{4294967295ULL} &&
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

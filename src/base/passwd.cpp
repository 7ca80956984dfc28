#include "base/passwd.hpp"

#include <charconv>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull {

std::optional<std::string> user_name_in(std::string_view passwd, uid_t uid) {
  while (!passwd.empty()) {
    size_t end = passwd.find('\n');
    std::string_view line = passwd.substr(0, end);
    passwd.remove_prefix(end == std::string_view::npos ? passwd.size() : end + 1);
    // name:password:uid:...
    size_t c1 = line.find(':');
    if (c1 == std::string_view::npos || c1 == 0) continue;
    size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    size_t c3 = line.find(':', c2 + 1);
    std::string_view field = line.substr(c2 + 1, c3 == std::string_view::npos ? std::string_view::npos : c3 - c2 - 1);
    uid_t found = 0;
    auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), found);
    if (ec != std::errc() || p != field.data() + field.size() || field.empty()) continue;
    if (found == uid) return std::string(line.substr(0, c1));
  }
  return std::nullopt;
}

std::optional<std::string> user_name(uid_t uid) {
  try {
    return user_name_in(read_file("/etc/passwd"), uid);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace hull

#include "base/passwd.hpp"

#include <charconv>

#include "base/error.hpp"
#include "base/fs.hpp"

namespace hull {

std::optional<PasswdEntry> passwd_entry_in(std::string_view passwd, uid_t uid) {
  while (!passwd.empty()) {
    size_t end = passwd.find('\n');
    std::string_view line = passwd.substr(0, end);
    passwd.remove_prefix(end == std::string_view::npos ? passwd.size() : end + 1);
    // name:password:uid:gid:gecos:home:shell
    std::string_view fields[6];
    size_t n = 0;
    for (std::string_view rest = line; n < 6; ++n) {
      size_t colon = rest.find(':');
      fields[n] = rest.substr(0, colon);
      if (colon == std::string_view::npos) {
        ++n;
        break;
      }
      rest.remove_prefix(colon + 1);
    }
    if (n < 3 || fields[0].empty() || fields[2].empty()) continue;
    uid_t found = 0;
    auto [p, ec] = std::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), found);
    if (ec != std::errc() || p != fields[2].data() + fields[2].size()) continue;
    if (found == uid) return PasswdEntry{fields[0], n == 6 ? fields[5] : std::string_view()};
  }
  return std::nullopt;
}

std::optional<std::string> user_name_in(std::string_view passwd, uid_t uid) {
  if (auto entry = passwd_entry_in(passwd, uid)) return std::string(entry->name);
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

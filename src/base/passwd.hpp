#pragma once
// User names and home directories from /etc/passwd, read directly as runc
// does (its user package parses the file; no NSS). glibc's getpwuid_r would
// load NSS modules with dlopen, which a static hull binary cannot do safely.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace hull {

// Fields of one "name:x:uid:gid:gecos:home:shell" line, viewing the text.
struct PasswdEntry {
  std::string_view name;
  std::string_view home;  // empty when the line stops before it
};

// The first entry of a passwd text with this uid (lines without a name or a
// numeric uid are skipped); nullopt when there is none.
std::optional<PasswdEntry> passwd_entry_in(std::string_view passwd, uid_t uid);

// The name of the first /etc/passwd entry with this uid; nullopt when there
// is none or the file cannot be read.
std::optional<std::string> user_name(uid_t uid);
// The same over the text of a passwd file.
std::optional<std::string> user_name_in(std::string_view passwd, uid_t uid);

}  // namespace hull

#pragma once
// User names from /etc/passwd, read directly as runc does (its user package
// parses the file; no NSS). glibc's getpwuid_r would load NSS modules with
// dlopen, which a static hull binary cannot do safely.
#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace hull {

// The name of the first /etc/passwd entry with this uid; nullopt when there
// is none or the file cannot be read.
std::optional<std::string> user_name(uid_t uid);
// The same over the text of a passwd file ("name:x:uid:gid:gecos:home:shell" lines).
std::optional<std::string> user_name_in(std::string_view passwd, uid_t uid);

}  // namespace hull

#include "process/home_env.hpp"

#include <fcntl.h>

#include "base/error.hpp"
#include "base/fs.hpp"
#include "base/passwd.hpp"
#include "rootfs/safe_path.hpp"

namespace hull::process {
namespace {

// Far above any real passwd; a larger one counts as unreadable.
constexpr size_t kMaxPasswdSize = 16 << 20;

// The container's /etc/passwd, resolved inside its root (no magic links, no
// way out through symlinks); empty when there is none to read.
std::string container_passwd() {
  try {
    UniqueFd root = open_fd("/", O_PATH | O_DIRECTORY);
    UniqueFd file = rootfs::open_in_root(root.get(), "/etc/passwd", O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    return file ? read_regular_fd(file.get(), kMaxPasswdSize, "/etc/passwd") : std::string();
  } catch (const Error&) {
    return {};
  }
}

}  // namespace

bool lacks_home(const std::vector<std::string>& env) {
  std::string_view home;
  for (const auto& e : env)
    if (e.starts_with("HOME=")) home = std::string_view(e).substr(5);
  return home.empty();
}

std::string home_in_passwd(std::string_view passwd, uid_t uid) {
  // runc's default user: "/" as home; a matching entry's home as written.
  if (auto entry = passwd_entry_in(passwd, uid)) return std::string(entry->home);
  return "/";
}

std::vector<std::string> with_home(std::vector<std::string> env, const std::string& home) {
  std::erase_if(env, [](const std::string& e) { return e.starts_with("HOME="); });
  env.push_back("HOME=" + home);
  return env;
}

std::vector<std::string> env_with_home(const std::vector<std::string>& env, uid_t uid) {
  if (!lacks_home(env)) return env;
  return with_home(env, home_in_passwd(container_passwd(), uid));
}

}  // namespace hull::process

#include "process/session_keyring.hpp"

#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"

namespace hull::process {

void join_new_session_keyring(const std::string& name) {
  const char* named = name.empty() ? nullptr : name.c_str();
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, named) < 0 && errno != ENOSYS)
    throw_errno("join a new session keyring");
}

}  // namespace hull::process

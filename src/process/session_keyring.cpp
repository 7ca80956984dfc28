#include "process/session_keyring.hpp"

#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "base/error.hpp"
#include "process/lsm.hpp"

namespace hull::process {

void join_new_session_keyring(const spec::Spec& spec) {
  label_keys_it_creates(spec);
  if (::syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, nullptr) < 0 && errno != ENOSYS)
    throw_errno("join a new session keyring");
}

}  // namespace hull::process

// ns::NetworkNamespaceThread (the init's network namespace, made beside its
// next steps): until enter() the caller stays in its own network namespace;
// after it, the caller is in the new one while the thread may still bring
// "lo" up; after join(), "lo" is up and the caller runs alone again; without
// a CPU to spare the namespace is made at start(); a failure on the thread
// comes back from enter() with its context, and one bringing "lo" up from
// join(); a held thread stays until released, and goes with its owner.
// Each case runs in a forked child, whose namespaces are its own to
// change.
#include <gtest/gtest.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "arch.hpp"
#include "base/error.hpp"
#include "base/unique_fd.hpp"
#include "namespaces/network_namespace_thread.hpp"

namespace {

ino_t netns_inode() {
  struct stat st {};
  return ::stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0;
}

bool loopback_up() {
  hull::UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  return sock && ::ioctl(sock.get(), SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP);
}

size_t entries_of(const char* dir) {
  std::error_code ec;
  auto it = std::filesystem::directory_iterator(dir, ec);
  return ec ? 0 : static_cast<size_t>(std::distance(it, std::filesystem::directory_iterator()));
}

// Alone again: pthread_join returns when the thread's tid is cleared, a
// little before the kernel has taken the thread out of the process.
bool alone_within_a_second() {
  for (int i = 0; i < 1000; ++i) {
    if (entries_of("/proc/self/task") == 1) return true;
    ::usleep(1000);
  }
  return false;
}

// f's return value is the child's exit status.
int exit_code_in_child(int (*f)()) {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(f());
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int made_beside_us_then_entered() {
  const ino_t before = netns_inode();
  const size_t fds = entries_of("/proc/self/fd");
  hull::ns::NetworkNamespaceThread netns;
  if (!netns.start(true)) return 6;
  if (netns_inode() != before) return 1;
  netns.enter();
  const ino_t after = netns_inode();
  if (after == before || after == 0) return 2;
  netns.join();
  if (!loopback_up()) return 3;
  if (!alone_within_a_second()) return 4;
  if (entries_of("/proc/self/fd") != fds) return 7;
  netns.enter();
  netns.join();
  return netns_inode() == after ? 0 : 5;
}

// The other thread of this process, once it waits in futex(2) (its
// /proc/<tid>/syscall starts with the call's number); 0 if it exits or
// a second passes first.
pid_t thread_waiting_in_futex() {
  for (int i = 0; i < 1000; ++i) {
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
      const pid_t tid = static_cast<pid_t>(std::stol(task.path().filename().string()));
      if (tid == static_cast<pid_t>(::syscall(SYS_gettid))) continue;
      std::ifstream syscall_file(task.path() / "syscall");
      long nr = -1;
      if (syscall_file >> nr && nr == SYS_futex) return tid;
    }
    if (entries_of("/proc/self/task") != 2) return 0;
    ::usleep(1000);
  }
  return 0;
}

// The network namespace of the process's thread tid; 0 if unreadable.
ino_t netns_inode_of_thread(pid_t tid) {
  struct stat st {};
  const std::string ns = "/proc/self/task/" + std::to_string(tid) + "/ns/net";
  return ::stat(ns.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Held, the thread makes the namespace and then waits, without exiting,
// until release(): the caller may move its own writable memory meanwhile.
int held_until_released() {
  const ino_t before = netns_inode();
  hull::ns::NetworkNamespaceThread netns;
  if (!netns.start(true, /*held=*/true)) return 6;
  const pid_t held = thread_waiting_in_futex();
  if (held == 0) return 1;
  const ino_t theirs = netns_inode_of_thread(held);
  if (theirs == 0 || theirs == before) return 5;
  netns.release();
  if (!alone_within_a_second()) return 2;
  if (netns_inode() != before) return 3;
  netns.join();
  return netns_inode() != before && loopback_up() ? 0 : 4;
}

// enter() moves the caller in as soon as the namespace is made, without
// waiting for the thread to end ("lo" may still be coming up): held, the
// thread is still there after it, in the namespace the caller is now in;
// join() ends it.
int entered_before_the_thread_ends() {
  const ino_t before = netns_inode();
  hull::ns::NetworkNamespaceThread netns;
  if (!netns.start(true, /*held=*/true)) return 6;
  netns.enter();
  const ino_t after = netns_inode();
  if (after == before || after == 0) return 1;
  const pid_t held = thread_waiting_in_futex();
  if (held == 0) return 2;
  if (netns_inode_of_thread(held) != after) return 3;
  netns.join();
  if (!alone_within_a_second()) return 4;
  return loopback_up() ? 0 : 5;
}

int made_at_start_without_a_cpu_to_spare() {
  const ino_t before = netns_inode();
  hull::ns::NetworkNamespaceThread netns;
  if (netns.start(false)) return 1;
  if (netns_inode() == before || !loopback_up()) return 2;
  netns.enter();
  netns.join();
  return entries_of("/proc/self/task") == 1 ? 0 : 3;
}

// Without CAP_SYS_ADMIN (dropped from this thread's effective set, which a
// thread it starts inherits) the thread's unshare is refused.
int refused_on_the_thread() {
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2]{};
  if (::syscall(SYS_capget, &h, d) < 0) return 90;
  d[0].effective &= ~(1u << CAP_SYS_ADMIN);
  if (::syscall(SYS_capset, &h, d) < 0) return 90;
  hull::ns::NetworkNamespaceThread netns;
  if (!netns.start(true)) return 4;
  try {
    netns.enter();
  } catch (const hull::Error& e) {
    const std::string what = e.what();
    if (what.find("create the container's network namespace") == std::string::npos) return 2;
    return what.find("operation not permitted") == std::string::npos ? 3 : 0;
  }
  return 1;
}

// A seccomp filter, inherited by the threads started after it, that refuses
// ioctl(fd, request) with EPERM and allows everything else.
bool refuse_ioctl(unsigned long request) {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNativeAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[1])),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(request), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

// "lo" refused on the thread, after the namespace was made: enter() moves
// the caller in, and join() throws the loopback's failure with its context.
int loopback_refused_on_the_thread() {
  if (!refuse_ioctl(SIOCSIFFLAGS)) return 90;
  const ino_t before = netns_inode();
  hull::ns::NetworkNamespaceThread netns;
  if (!netns.start(true)) return 4;
  netns.enter();  // throws (the child exits non-zero) if the namespace's making failed
  if (netns_inode() == before) return 5;
  try {
    netns.join();
  } catch (const hull::Error& e) {
    const std::string what = e.what();
    if (what.find("bring the loopback interface up") == std::string::npos) return 2;
    if (what.find("operation not permitted") == std::string::npos) return 3;
    return alone_within_a_second() ? 0 : 6;
  }
  return 1;
}

// A held thread whose owner goes without release() or join() (the init
// failed in between) is released and waited for by the destructor, before
// or after enter(). A destructor that waits for a release nobody sends
// hangs: the alarm ends the child then.
int held_thread_ended_by_its_owners_end() {
  ::alarm(10);
  {
    hull::ns::NetworkNamespaceThread netns;
    if (!netns.start(true, /*held=*/true)) return 4;
  }
  if (!alone_within_a_second()) return 1;
  {
    hull::ns::NetworkNamespaceThread netns;
    if (!netns.start(true, /*held=*/true)) return 4;
    netns.enter();
  }
  return alone_within_a_second() ? 0 : 2;
}

TEST(NetworkNamespaceThread, TheCallerEntersTheNamespaceTheThreadMadeWithLoopbackUp) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(made_beside_us_then_entered), 0)
      << "1: left our namespace before enter(), 2: not in a new one after, 3: lo down after join(), "
         "4: not alone after join(), 5: a second enter() or join() moved us, 6: no thread started, 7: an fd left open";
}

TEST(NetworkNamespaceThread, AHeldThreadStaysUntilReleasedThenItsNamespaceIsEntered) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(held_until_released), 0)
      << "1: the held thread did not wait (exited, or no futex wait within a second), 2: still there a second after "
         "release(), 3: the caller left its namespace before enter(), 4: not in a new one with lo up after it, "
         "5: the held thread was not in a namespace of its own, 6: no thread started";
}

TEST(NetworkNamespaceThread, EnterMovesTheCallerInBeforeTheThreadEndsAndJoinEndsIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(entered_before_the_thread_ends), 0)
      << "1: not in a new namespace after enter(), 2: the held thread was gone after enter(), 3: it was not in the "
         "caller's new namespace, 4: not alone after join(), 5: lo down after join(), 6: no thread started";
}

TEST(NetworkNamespaceThread, WithoutACpuToSpareTheNamespaceIsMadeAtStart) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(made_at_start_without_a_cpu_to_spare), 0)
      << "1: a thread started, 2: no new namespace with lo up after start(), 3: not alone";
}

TEST(NetworkNamespaceThread, ARefusalOnTheThreadComesBackFromEnterWithItsContext) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(refused_on_the_thread), 0)
      << "1: no error, 2: without its context, 3: without the errno text, 4: no thread started, 90: set-up failed";
}

TEST(NetworkNamespaceThread, ALoopbackRefusedOnTheThreadComesBackFromJoinWithItsContext) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(loopback_refused_on_the_thread), 0)
      << "1: no error from join(), 2: without its context, 3: without the errno text, 4: no thread started, "
         "5: enter() left the caller where it was, 6: not alone after join(), 90: the filter was refused";
}

TEST(NetworkNamespaceThread, AHeldThreadIsEndedWhenItsOwnerGoesWithoutJoining) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root for a network namespace";
  EXPECT_EQ(exit_code_in_child(held_thread_ended_by_its_owners_end), 0)
      << "1: still there after the destructor, 2: the same after enter(), 4: no thread started, "
         "128+14: the destructor hung";
}

}  // namespace

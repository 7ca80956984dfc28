#pragma once
// What the CVE-2019-5736 tests (runtime_binary_*_test.cpp) share: every hull
// command of a test runs from a canary copy of the binary in the test's temp
// dir, so a defence that failed writes the copy, never build/hull, and the
// copy's SHA-256 must be unchanged at the end; and the attacker, a busybox
// sh script in a container reporting through a fifo (attack_report.hpp).
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "attack_report.hpp"
#include "harness.hpp"

namespace hull::itest {

// The attacker. $1: the process name (comm) it aims at, or "" for every
// process not running its own busybox; $2 "nested": only processes in a pid
// namespace below its own, and only once /tmp/go exists (the test makes it
// when the process to aim at has been created: from the host's pid namespace
// the attacker would otherwise also catch the init in the moment after its
// clone, before its switch to the sealed view, when it is what `hull create`
// is all along, its exe the host's binary: see that test). For every process it has not seen (by pid and
// name): one direct `>> /proc/<p>/exe`, then an fd on the exe kept by a
// background subshell that retries writing through /proc/self/fd/9 until
// /tmp/stop appears, and once more then (no runtime process left, so
// ETXTBSY cannot save the binary). One line per attempt:
// "denied|opened|WROTE|WROTE-direct|refused <pid> <comm>", and "holding:<pid>"
// once the patient subshell holds its fd (no name in it: tests count the
// processes seen by " <name>").
inline constexpr const char* kBinaryAttacker = R"SH(
target=$1
nested=$2
self=$(readlink /proc/self/exe)
seen=" "
first=1
while true; do
  stop=0
  [ -e /tmp/stop ] && stop=1
  go=1
  [ "$nested" = nested ] && [ ! -e /tmp/go ] && go=0
  [ $go = 1 ] && for d in /proc/[0-9]*; do
    p=${d#/proc/}
    read c 2>/dev/null <$d/comm || continue
    if [ -n "$target" ]; then [ "$c" = "$target" ] || continue; fi
    if [ "$nested" = nested ]; then
      levels=$(sed -n 's/^NSpid://p' $d/status 2>/dev/null | wc -w)
      [ "$levels" -ge 2 ] || continue
    fi
    case "$seen" in *" $p:$c "*) continue;; esac
    seen="$seen$p:$c "
    if [ -z "$target" ]; then
      e=$(readlink $d/exe 2>/dev/null)
      [ "$e" = "$self" ] && continue
    fi
    if echo x 2>/dev/null >>$d/exe; then echo "WROTE-direct $p $c"; fi
    if ! (exec 9<$d/exe) 2>/dev/null; then echo "denied $p $c"; continue; fi
    echo "opened $p $c"
    (exec 9<$d/exe || exit 0
     echo "holding:$p"
     until [ -e /tmp/stop ]; do
       if echo x 2>/dev/null >>/proc/self/fd/9; then echo "WROTE $p $c"; exit 0; fi
       usleep 20000
     done
     if echo x 2>/dev/null >>/proc/self/fd/9; then echo "WROTE $p $c"; else echo "refused $p $c"; fi) &
  done
  if [ $stop = 1 ]; then wait; echo done; exit 0; fi
  if [ $first = 1 ]; then echo ready; first=0; fi
done
)SH";

// Runs every hull command of the test (and its cleanup) from a copy of the
// binary named `name` (comm keeps 15 characters), through HULL_ITEST_RUNTIME.
class RuntimeBinaryCanaryTest : public HullTest {
 protected:
  void use_canary(const std::string& name) {
    copy_ = temp_dir() / name;
    std::filesystem::copy_file(HULL_BINARY, copy_);
    std::filesystem::permissions(copy_, std::filesystem::perms(0755));
    if (const char* prev = std::getenv("HULL_ITEST_RUNTIME")) saved_runtime_ = prev;
    ::setenv("HULL_ITEST_RUNTIME", copy_.c_str(), 1);
    before_ = sha256(copy_);
  }
  void TearDown() override {
    if (!copy_.empty()) {
      EXPECT_EQ(sha256(copy_), before_) << "the runtime binary was modified";
    }
    HullTest::TearDown();
    if (saved_runtime_)
      ::setenv("HULL_ITEST_RUNTIME", saved_runtime_->c_str(), 1);
    else
      ::unsetenv("HULL_ITEST_RUNTIME");
  }

  // Creates and starts the attacker (kBinaryAttacker with `target` and
  // `mode`) with its stdout on the fifo; its init pid.
  pid_t start_attacker(Bundle& a, const std::filesystem::path& fifo, const std::string& id,
                       const std::string& target = "", const std::string& mode = "") {
    a.args({"sh", "-c", kBinaryAttacker, "attacker", target, mode});
    std::string cmd = "exec '" + copy_.string() + "' --root '" + state_root().string() + "' create --bundle '" +
                      a.dir().string() + "' " + id + " >'" + fifo.string() + "'";
    ProcResult r = run_process({"/bin/sh", "-c", cmd});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    start_container(id);
    return state(id).value("pid", 0);
  }

  // Creates `id` (sleep 1000) with its init in the pid namespace of
  // attacker_init, where the init waits as the runtime until start.
  void create_in_pid_namespace_of(pid_t attacker_init, const std::string& id) {
    Bundle& b = bundle(id);
    b.args({"sleep", "1000"});
    for (auto& ns : b.config["linux"]["namespaces"])
      if (ns["type"] == "pid") ns["path"] = "/proc/" + std::to_string(attacker_init) + "/ns/pid";
    b.write();
    ProcResult r = hull({"create", "--bundle", b.dir().string(), id});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  std::filesystem::path copy_;

 private:
  std::string before_;
  std::optional<std::string> saved_runtime_;
};

}  // namespace hull::itest

// A config without a mount namespace shares the caller's: hull must change
// nothing in it (no propagation change, no mount, no pivot_root), only chroot
// its own process, as runc and crun do (runtime-tools linux_ns_itype). And no
// config at all may re-root the mount namespace hull runs in.
//
// Each case runs the runtime from a private mount namespace made for the test
// (unshare -m --propagation private), so that a runtime that does re-root the
// caller's namespace hits that sandbox, never the host.
#include <fstream>
#include <sstream>
#include <string>

#include "harness.hpp"
#include "proc_files.hpp"

namespace hull::itest {
namespace {

class MountNamespaceInheritTest : public HullTest {
 protected:
  // A config with no namespace at all (linux_ns_itype's), and nothing that
  // needs a mount namespace.
  Bundle& bare_bundle() {
    Bundle& b = bundle();
    b.config["linux"]["namespaces"] = nlohmann::json::array();
    b.config["linux"].erase("maskedPaths");
    b.config["linux"].erase("readonlyPaths");
    b.config["linux"].erase("devices");
    b.config.erase("hostname");
    return b;
  }

  // Runs `<runtime> run` from a shell in a private mount namespace. Before and
  // after, the shell writes its root (dev:ino of "/"), cwd and mountinfo to
  // out/before.* and out/after.*. The test mounts proc on the rootfs's /proc
  // itself first (in the sandbox) so the container can read /proc/self/ns.
  ProcResult run_in_private_mount_namespace(Bundle& b, const std::string& id) {
    std::filesystem::create_directories(temp_dir() / "out");
    const std::string script = R"SH(set -u
rt="$1"; root="$2"; bundle="$3"; id="$4"; out="$5"
mount -t proc proc "$bundle/rootfs/proc" || exit 90
cd "$out" || exit 91
snap() { stat -Lc %d:%i / > "$out/$1.root"; pwd > "$out/$1.cwd"; cat /proc/self/mountinfo > "$out/$1.mountinfo"; }
for ns in cgroup ipc mnt net pid time user uts; do echo "$ns $(readlink /proc/self/ns/$ns)"; done > "$out/runtime.ns"
snap before
"$rt" --root "$root" run --bundle "$bundle" "$id"
status=$?
snap after
exit $status
)SH";
    return Child::spawn({"/usr/bin/unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh",
                         runtime_binary(), state_root().string(), b.dir().string(), id, (temp_dir() / "out").string()})
        .finish();
  }

  // The sandbox's mountinfo without the mounts other tests (ctest runs two
  // at a time) had made under their own temporary directories when it was
  // copied: removing such a directory detaches its mounts in every mount
  // namespace, the sandbox's private copies too, whenever that happens.
  std::string without_other_tests_mounts(const std::string& mountinfo) const {
    const std::string others = (temp_dir().parent_path() / "hull-itest.").string();
    const std::string ours = temp_dir().string() + "/";
    std::istringstream in(mountinfo);
    std::string kept;
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string mount_point;
      for (int i = 0; i < 5; ++i) fields >> mount_point;
      if (!mount_point.starts_with(others) || mount_point.starts_with(ours)) kept += line + "\n";
    }
    return kept;
  }

  void expect_caller_unchanged() {
    const auto out = temp_dir() / "out";
    EXPECT_EQ(read_text_file(out / "after.root"), read_text_file(out / "before.root")) << "the caller's root changed";
    EXPECT_EQ(read_text_file(out / "after.cwd"), read_text_file(out / "before.cwd")) << "the caller's cwd changed";
    EXPECT_EQ(without_other_tests_mounts(read_text_file(out / "after.mountinfo")),
              without_other_tests_mounts(read_text_file(out / "before.mountinfo")))
        << "the caller's mount namespace changed";
  }
};

// Every namespace left out is the runtime's (linux_ns_itype's check, from
// inside), and the caller's root, cwd and mounts are as they were.
TEST_F(MountNamespaceInheritTest, NoMountNamespaceChangesNothingInTheCallers) {
  Bundle& b = bare_bundle();
  b.args({"sh", "-c",
          "for ns in cgroup ipc mnt net pid time user uts; do echo \"$ns $(readlink /proc/self/ns/$ns)\"; "
          "done; test -e /bin/busybox && echo in-rootfs"});
  ProcResult r = run_in_private_mount_namespace(b, "inherit");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string runtime_ns = read_text_file(temp_dir() / "out" / "runtime.ns");
  ASSERT_NE(runtime_ns.find("mnt mnt:["), std::string::npos) << runtime_ns;
  EXPECT_EQ(r.out, runtime_ns + "in-rootfs\n");
  expect_caller_unchanged();
}

// A mount namespace "joined" by a path that names the caller's own: hull
// must refuse before it mounts anything (runc pivots the caller's namespace).
TEST_F(MountNamespaceInheritTest, JoiningTheCallersMountNamespaceIsRefused) {
  Bundle& b = bare_bundle();
  b.config["linux"]["namespaces"] = {{{"type", "mount"}, {"path", "/proc/self/ns/mnt"}}};
  b.args({"true"});
  ProcResult r = run_in_private_mount_namespace(b, "joinself");
  EXPECT_TRUE(failed_with(r, {"mount namespace hull runs in"})) << r.out << r.err;
  expect_caller_unchanged();
}

// Settings that cannot be had without mounts are refused rather than dropped.
TEST_F(MountNamespaceInheritTest, MaskedPathsNeedAMountNamespace) {
  Bundle& b = bare_bundle();
  b.config["linux"]["maskedPaths"] = {"/proc/kcore"};
  b.args({"true"});
  ProcResult r = run_in_private_mount_namespace(b, "masked");
  EXPECT_TRUE(failed_with(r, {".linux.maskedPaths", "mount namespace"})) << r.out << r.err;
  expect_caller_unchanged();
}

}  // namespace
}  // namespace hull::itest

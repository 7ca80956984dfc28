// Which bind sources the runtime opens before the clone (rootfs/bind_trees):
// the rules for a runtime that is not root on the host.
#include <sys/types.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "forked_child.hpp"
#include "require_root.hpp"
#include "rootfs/bind_trees.hpp"
#include "spec_builder.hpp"
#include "temp_dir.hpp"

namespace hull::rootfs {
namespace {

spec::Spec with_bind(const std::string& source) {
  spec::Spec s = test::default_spec("/nonexistent-rootfs");
  s.mounts = {test::make_mount("/mnt", "", source, {"rbind"})};
  return s;
}

bool opened(const BindTrees& trees) { return !trees.trees.empty() && trees.trees[0]; }

// Rootless podman's runtime is root of podman's user namespace: it may clone
// the mounts of its own namespace, and opens a source for a container in a
// user namespace of its own (--uidmap), whose root may not reach the
// caller's 0700 directories. Without a user namespace the init reaches what
// the caller does: nothing is opened.
TEST(BindTrees, AnUnprivilegedRuntimeOpensSourcesForAContainerInAUserNamespace) {
  HULL_REQUIRE_ROOT();
  test::TempDir source("bind-trees");
  const spec::Spec s = with_bind(source.path());
  EXPECT_TRUE(opened(open_bind_trees(s, "/", "/nonexistent-rootfs", {.user_namespace = true, .unprivileged = true})));
  EXPECT_FALSE(opened(open_bind_trees(s, "/", "/nonexistent-rootfs", {.user_namespace = false, .unprivileged = true})));
}

// A plain user may not clone mounts (EPERM): nothing is opened and create
// goes on, the init opening each source itself.
TEST(BindTrees, APlainUserOpensNothingAndFailsNothing) {
  HULL_REQUIRE_ROOT();
  test::TempDir source("bind-trees");
  const spec::Spec s = with_bind(source.path());
  test::ForkedResult r = test::run_forked_output([&] {
    if (::setresgid(65534, 65534, 65534) < 0 || ::setresuid(65534, 65534, 65534) < 0) throw_errno("drop to nobody");
    const BindTrees trees =
        open_bind_trees(s, "/", "/nonexistent-rootfs", {.user_namespace = true, .unprivileged = true});
    return std::string(opened(trees) ? "opened" : "none");
  });
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.output, "none");
}

}  // namespace
}  // namespace hull::rootfs

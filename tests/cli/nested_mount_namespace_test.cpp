// Tools that make mount namespaces of their own inside a container (rootless
// podman and buildah, bubblewrap, `unshare -m`) work in hull containers as in
// runc's: no Landlock domain (or anything else) forbids mount(2) to the
// container's processes. hull used to put one on containers without
// CAP_SYS_ADMIN, where even a propagation change in a nested user+mount
// namespace failed with EPERM.
#include "harness.hpp"

namespace hull::itest {
namespace {

class NestedMountNamespace : public HullTest {};

// Default capabilities (no CAP_SYS_ADMIN) and a non-root user, as rootless
// podman and bubblewrap run: a user namespace gives the mount rights (the
// user maps itself to root there; mapping uid 0 itself would need
// CAP_SETFCAP).
TEST_F(NestedMountNamespace, PropagationChangeAndMountInANestedUserAndMountNamespace) {
  Bundle& b = bundle();
  b.config["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  ProcResult r = run_sh(b,
                        "unshare -r -m sh -c 'mount --make-rprivate / && echo private && "
                        "mount -t tmpfs nested /tmp && grep -c \" /tmp tmpfs \" /proc/self/mounts'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "private\n1\n") << r.err;
}

// With CAP_SYS_ADMIN, `unshare -m` alone, and the container's own mounts
// are untouched by what the nested namespace does.
TEST_F(NestedMountNamespace, UnshareMountWithSysAdminLeavesTheContainersMountsAlone) {
  Bundle& b = bundle();
  for (const char* set : {"bounding", "effective", "permitted"})
    b.config["process"]["capabilities"][set].push_back("CAP_SYS_ADMIN");
  ProcResult r = run_sh(b,
                        "unshare -m sh -c 'mount --make-rprivate / && mount -t tmpfs nested /tmp && echo inner' && "
                        "if grep -q \" /tmp tmpfs \" /proc/self/mounts; then echo leaked; else echo outer-clean; fi");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "inner\nouter-clean\n") << r.err;
}

}  // namespace
}  // namespace hull::itest

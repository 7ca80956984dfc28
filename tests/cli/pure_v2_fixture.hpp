#pragma once
// Tests of what only a pure cgroup-v2 host has (controllers in
// subtree_control, the unified hierarchy's files): they skip on this
// project's hybrid hosts and run in the VM lane (tests/vm), which boots a
// pure v2 kernel with the tests in a nested cgroup.
#include "cgroups/host.hpp"
#include "harness.hpp"

namespace hull::itest {

class PureV2Test : public HullTest {
 protected:
  void SetUp() override {
    HullTest::SetUp();
    if (IsSkipped()) return;
    if (cgroups::Host::current().mode != cgroups::Mode::Unified)
      GTEST_SKIP() << "host cgroups are not pure v2 (run these in the VM: ctest -L v2vm)";
  }
};

}  // namespace hull::itest
